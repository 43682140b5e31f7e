/**
 * The CLI leaves Node's warning listeners alone: the AWS SDK's NodeVersionSupportWarning (its releases
 * after early January 2027 need Node >= 22) and every other warning reach stderr through Node's own
 * printer. Before issue 13 the CLI removed all 'warning' listeners to hide that notice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../cli/sensorctl.js';

test('running a command keeps every warning listener Node (or anyone) installed', async () => {
  const seen: string[] = [];
  const mine = (w: Error) => seen.push(w.message);
  process.on('warning', mine);
  const before = process.listeners('warning');
  assert.ok(before.length >= 2, "Node's own printer and this test's listener");
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write; // --version's line
  try {
    assert.is(await main(['node', 'sensorctl', '--version']), 0);
  } finally {
    process.stdout.write = write;
  }
  const after = process.listeners('warning');
  for (const listener of before) assert.ok(after.includes(listener), 'a warning listener was removed');
  process.emitWarning('NodeVersionSupportWarning: a test notice');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(seen, ['NodeVersionSupportWarning: a test notice']);
  process.off('warning', mine);
});

test.run();
