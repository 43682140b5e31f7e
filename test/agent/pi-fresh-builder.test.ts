/** WindowLocks: the per-device/window mutex shared by refresh jobs and the daemon's scheduled builds. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WindowLocks } from '../../agent/pi-fresh-builder.js';

const locks = suite('WindowLocks');

locks('runs holders of one window one at a time, in arrival order', async () => {
  const l = new WindowLocks();
  const log: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const a = l.run('pi', '1d', async () => { log.push('a start'); await gate; log.push('a end'); });
  const b = l.run('pi', '1d', async () => { log.push('b'); });
  const c = l.run('pi', '1d', async () => { log.push('c'); });
  await Promise.resolve();
  assert.ok(l.isHeld('pi', '1d'));
  open();
  await Promise.all([a, b, c]);
  assert.equal(log, ['a start', 'a end', 'b', 'c']);
  assert.not.ok(l.isHeld('pi', '1d'));
});

locks('never makes different windows or devices wait for each other', async () => {
  const l = new WindowLocks();
  const release = await l.acquire('pi', '1d');
  assert.is(await l.run('pi', '10d', async () => 'other window'), 'other window');
  assert.is(await l.run('garage', '1d', async () => 'other device'), 'other device');
  release();
  release(); // twice is harmless
  assert.is(await l.run('pi', '1d', async () => 'after release'), 'after release');
});

locks('releases the lock when the holder throws', async () => {
  const l = new WindowLocks();
  await l.run('pi', '1h', async () => { throw new Error('boom'); }).catch((e: Error) => assert.is(e.message, 'boom'));
  assert.not.ok(l.isHeld('pi', '1h'));
  assert.is(await l.run('pi', '1h', async () => 1), 1);
});

locks('runMany holds every named window while fn runs, and a single-window holder waits for it', async () => {
  const l = new WindowLocks();
  const log: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const many = l.runMany('pi', ['1d', '1h'], async () => { log.push('many start'); await gate; log.push('many end'); });
  await new Promise((r) => setImmediate(r));
  assert.equal([l.isHeld('pi', '1h'), l.isHeld('pi', '1d'), l.isHeld('pi', '10h')], [true, true, false]);
  const one = l.run('pi', '1d', async () => { log.push('one'); });
  assert.is(await l.run('pi', '10h', async () => 'free'), 'free');
  open();
  await Promise.all([many, one]);
  assert.equal(log, ['many start', 'many end', 'one']);
  assert.not.ok(l.isHeld('pi', '1h'));
});

locks.run();
