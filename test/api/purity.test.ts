/** The API core stays runtime-neutral: no node:* imports, timers, process.env or Date.now() outside adapters. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const ADAPTERS = ['node-http-api.ts', 'lambda-http-api.ts', 'lambda-stream-api.ts', 'static-files.ts', 'node-scheduler.ts', 'pi-api.ts'];
const dir = new URL('../../api/', import.meta.url).pathname;
const core = readdirSync(dir).filter((f) => f.endsWith('.ts') && !ADAPTERS.includes(f));

const purity = suite('api core purity');

purity('has no node:* imports, timers, process.env or Date.now() in the core files', () => {
  assert.ok(core.length >= 15, `core files: ${core.join(', ')}`);
  for (const file of core) {
    const text = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    assert.not.match(text, /from 'node:|require\(/, `${file} imports node`);
    assert.not.match(text, /\b(setTimeout|setInterval|setImmediate|process\.|Date\.now\(\))/, `${file} uses a runtime global`);
  }
});

purity('keeps every API file at most 300 lines', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n').length;
    assert.ok(lines <= 300, `${file}: ${lines} lines`);
  }
});

purity.run();
