import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CursorError, decodeCursor, DEFAULT_CURSOR_POLICY, encodeCursor, expiryReason, foldItems, initialCursor, isSweepDue } from '../../aws/item-cursor.js';

const item = (tsMs: number, ...ids: string[]) => ({ tsMs, samples: ids.map((seriesId, i) => ({ seriesId, tsMs, value: i })) });

const fold = suite('foldItems');
fold('hands over each (tsMs, series) pair once, also when an item is read again or grows', () => {
  let c = initialCursor();
  let r = foldItems(c, [item(1000, 'a', 'b'), item(2000, 'a')], 60_000);
  assert.is(r.fresh.length, 3);
  c = r.cursor;
  r = foldItems(c, [item(1000, 'a', 'b'), item(2000, 'a', 'b')], 60_000);
  assert.equal(r.fresh, [{ seriesId: 'b', tsMs: 2000, value: 1 }]);
  assert.is(r.cursor.highTsMs, 2000);
});
fold('keeps only the lookback window in the tail', () => {
  const r = foldItems(initialCursor(), [item(1000, 'a'), item(50_000, 'a'), item(70_000, 'a')], 60_000);
  assert.equal(Object.keys(r.cursor.tail), ['50000', '70000']);
});
fold.run();

const exp = suite('expiryReason / isSweepDue');
exp('expires after fullEveryMs and on a new backfill marker, not otherwise', () => {
  const c = { ...initialCursor(), fullAtMs: 1_000, backfillFromMs: 5 };
  assert.is(expiryReason(c, 1_000 + 1000, 5, DEFAULT_CURSOR_POLICY), undefined);
  assert.match(expiryReason(c, 1_000 + DEFAULT_CURSOR_POLICY.fullEveryMs, 5, DEFAULT_CURSOR_POLICY)!, /full read/);
  assert.match(expiryReason(c, 2_000, 7, DEFAULT_CURSOR_POLICY)!, /backfill marked from 1970-01-01T00:00:00.007Z/);
  assert.is(expiryReason(c, 2_000, undefined, DEFAULT_CURSOR_POLICY), undefined);
});
exp('a sweep is due sweepEveryMs after the last one', () => {
  const c = { ...initialCursor(), sweptAtMs: 0 };
  assert.not.ok(isSweepDue(c, DEFAULT_CURSOR_POLICY.sweepEveryMs - 1, DEFAULT_CURSOR_POLICY));
  assert.ok(isSweepDue(c, DEFAULT_CURSOR_POLICY.sweepEveryMs, DEFAULT_CURSOR_POLICY));
});
exp.run();

const codec = suite('encodeCursor / decodeCursor');
codec('round-trips and rejects foreign cursors', () => {
  const c = foldItems(initialCursor(), [item(5, 'x')], 10).cursor;
  assert.equal(decodeCursor(encodeCursor(c)), c);
  assert.throws(() => decodeCursor('42'), (e: Error) => e instanceof CursorError);
  assert.throws(() => decodeCursor('{"v":2}'), (e: Error) => e instanceof CursorError);
});
codec.run();
