/**
 * styles.css defines each colour once (issue 14, D2): the light and dark values of a colour sit in one
 * `light-dark()` declaration, so the system-dark and the explicitly chosen dark theme cannot drift
 * apart (the browser checks of both cases are in test/web/dashboard-live.test.ts, suite "look").
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const CSS = readFileSync(new URL('../../../web/src/styles.css', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

test('every custom property is declared once, colours as light-dark(light, dark); the theme choice only sets color-scheme', () => {
  const names = [...CSS.matchAll(/(--[a-z-]+)\s*:/g)].map((m) => m[1]);
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  assert.equal(repeated, [], `declared more than once: ${[...new Set(repeated)].join(', ')}`);
  assert.ok(names.length >= 20, `found ${names.length} custom properties`);
  for (const name of names.filter((n) => n !== '--focus')) {
    assert.match(CSS, new RegExp(`${name}:\\s*light-dark\\(`), `${name} holds light-dark(light, dark)`);
  }
  assert.not.match(CSS, /prefers-color-scheme:\s*dark/, 'no second dark palette under the media query');
  assert.match(CSS, /:root\[data-theme="dark"\]\s*\{\s*color-scheme:\s*dark;\s*\}/);
  assert.match(CSS, /:root\[data-theme="light"\]\s*\{\s*color-scheme:\s*light;\s*\}/);
});

test.run();
