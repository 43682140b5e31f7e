import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffMs, retryWithBackoff } from '../../../agent/upload/retry.js';
import { VirtualTime } from '../../support/virtual-time.js';

test('backoffMs doubles from minBackoffMs, jitter ×1–2, capped at maxBackoffMs', () => {
  const o = { minBackoffMs: 100, maxBackoffMs: 20_000 };
  assert.equal([0, 1, 2, 3].map((i) => backoffMs(i, { ...o, random: () => 0 })), [100, 200, 400, 800]);
  assert.is(backoffMs(3, { ...o, random: () => 0.5 }), 1_200);
  assert.is(backoffMs(10, { ...o, random: () => 0 }), 20_000);
});

test('retryWithBackoff: retries what shouldRetry accepts, up to attempts in all, waiting on the given timers', async () => {
  const time = new VirtualTime(0);
  const seen: number[] = [];
  const retried: Array<[number, number]> = [];
  const p = retryWithBackoff(async (n) => {
    seen.push(time.monoMs());
    throw new Error(`attempt ${n}`);
  }, time, { attempts: 3, minBackoffMs: 1_000, maxBackoffMs: 60_000, random: () => 0, shouldRetry: () => true, onRetry: ({ attemptNumber, retriesLeft }) => retried.push([attemptNumber, retriesLeft]) });
  const outcome = p.then(() => 'resolved', (e: Error) => e.message);
  await time.advance(10_000);
  assert.is(await outcome, 'attempt 3');
  assert.equal(seen, [0, 1_000, 3_000], 'waits of 1 s then 2 s of monotonic time');
  assert.equal(retried, [[1, 2], [2, 1]]);
  let calls = 0;
  const fatal = await retryWithBackoff(async () => { calls++; throw new TypeError('fatal'); }, time, { attempts: 8, minBackoffMs: 1, maxBackoffMs: 1, shouldRetry: (e) => !(e instanceof TypeError) }).catch((e: Error) => e.message);
  assert.equal([fatal, calls], ['fatal', 1], 'an error not to retry is thrown at once');
});

test.run();
