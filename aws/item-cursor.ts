/**
 * The change cursor of the DynamoDB sample source (pure). DynamoDB keeps no insertion order, so
 * "what changed since the last run" is answered by sort key plus a remembered tail:
 *
 * - `highTsMs`: the newest item time folded so far. A normal run queries only `tsMs > highTsMs`, so
 *   it reads only new items (RCU grows with new data, not with the year behind it).
 * - `tail`: for every item time in `(highTsMs - lookbackMs, highTsMs]`, the series ids already handed
 *   to the builder. Every `sweepEveryMs` a run also re-reads that lookback window and hands over only
 *   the (tsMs, series) pairs not in the tail, so items that landed late but within the lookback (the
 *   uploader's parallel batches, `push --since`, an eventually consistent read) are folded exactly once.
 * - Older late items cannot be seen by sort key. The uploader marks such a backlog by setting
 *   `backfillFromMs` on the device's catalogue item; a changed value, or `fullEveryMs` since the last
 *   full read (safety net), makes `readSince` answer `cursorExpired`, and the builder re-aggregates in
 *   full from raw, which puts every late item in its bucket.
 */
import type { Sample } from '../builder/types.js';
import { LATE_ITEM_AGE_MS } from '../agent/upload/ports.js';
import type { DecodedItem } from './dynamodb-item.js';

/** Tunables of the cursor policy, in ms. */
export interface CursorPolicy {
  /** How far behind the newest item a sweep re-reads. Default 1 h (`LATE_ITEM_AGE_MS`, the uploader's late-item age). */
  lookbackMs: number;
  /** How often a run sweeps the lookback window. Default 10 min. */
  sweepEveryMs: number;
  /**
   * Longest time between full re-aggregations (safety net for late items older than the lookback that
   * no backfill marker announced). Default 7 days: a full re-read of the 12m window reads a year of
   * items, which daily was most of the builder's DynamoDB reads (issue 14's cost).
   */
  fullEveryMs: number;
}

/** The cursor policy of the cloud builder; its `lookbackMs` is the uploader's `LATE_ITEM_AGE_MS` (one definition). */
export const DEFAULT_CURSOR_POLICY: CursorPolicy = { lookbackMs: LATE_ITEM_AGE_MS, sweepEveryMs: 600_000, fullEveryMs: 7 * 86_400_000 };

export interface ItemCursor {
  v: 1;
  /** Newest item time folded, epoch ms; 0 before any item. */
  highTsMs: number;
  /** tsMs (decimal string) → series ids folded at that instant, for the lookback window only. */
  tail: Record<string, string[]>;
  /** Epoch ms of the last completed lookback sweep. */
  sweptAtMs: number;
  /** Epoch ms of the last full read (`readRange`). */
  fullAtMs: number;
  /** The catalogue's `backfillFromMs` at the last full read; null when it had none. */
  backfillFromMs: number | null;
}

/** A cursor at the very beginning (nothing folded); `fullAtMs` 0 makes the first `readSince` expire. */
export function initialCursor(): ItemCursor {
  return { v: 1, highTsMs: 0, tail: {}, sweptAtMs: 0, fullAtMs: 0, backfillFromMs: null };
}

/** Thrown for a cursor string this source did not produce. */
export class CursorError extends Error {
  constructor(readonly cursor: string, message: string) {
    super(`cursor ${cursor.slice(0, 40)}: ${message}`);
    this.name = new.target.name;
  }
}

/** The cursor as the opaque string handed to the builder (JSON). */
export function encodeCursor(cursor: ItemCursor): string {
  return JSON.stringify(cursor);
}

/** @throws {CursorError} when `text` is not a cursor of version 1. */
export function decodeCursor(text: string): ItemCursor {
  let c: ItemCursor;
  try {
    c = JSON.parse(text) as ItemCursor;
  } catch {
    throw new CursorError(text, 'not JSON; expected a cursor returned by the DynamoDB source');
  }
  if (c?.v !== 1 || !Number.isSafeInteger(c.highTsMs) || typeof c.tail !== 'object') throw new CursorError(text, 'expected { v: 1, highTsMs, tail, … }');
  return c;
}

/**
 * Fold decoded items into `cursor`: returns the samples not handed over before (per (tsMs, seriesId))
 * and the advanced cursor (tail trimmed to the lookback window behind the new high). Pure.
 */
export function foldItems(cursor: ItemCursor, items: readonly DecodedItem[], lookbackMs: number): { cursor: ItemCursor; fresh: Sample[] } {
  const tail: Record<string, string[]> = { ...cursor.tail };
  let highTsMs = cursor.highTsMs;
  const fresh: Sample[] = [];
  for (const item of items) {
    const key = String(item.tsMs);
    const seen = new Set(tail[key] ?? []);
    const added = item.samples.filter((s) => !seen.has(s.seriesId));
    if (added.length === 0) continue;
    fresh.push(...added);
    tail[key] = [...seen, ...added.map((s) => s.seriesId)].sort();
    if (item.tsMs > highTsMs) highTsMs = item.tsMs;
  }
  const floor = highTsMs - lookbackMs;
  for (const key of Object.keys(tail)) if (Number(key) <= floor) delete tail[key];
  return { cursor: { ...cursor, highTsMs, tail }, fresh };
}

/** Why a `readSince` must answer `cursorExpired` (read in full), or undefined when it need not. */
export function expiryReason(cursor: ItemCursor, nowMs: number, catalogBackfillFromMs: number | undefined, policy: CursorPolicy): string | undefined {
  if (nowMs - cursor.fullAtMs >= policy.fullEveryMs) return `last full read ${nowMs - cursor.fullAtMs} ms ago, limit ${policy.fullEveryMs} ms`;
  if (catalogBackfillFromMs !== undefined && catalogBackfillFromMs !== cursor.backfillFromMs) {
    return `backfill marked from ${new Date(catalogBackfillFromMs).toISOString()}`;
  }
  return undefined;
}

/** Whether this run should re-read the lookback window. */
export const isSweepDue = (cursor: ItemCursor, nowMs: number, policy: CursorPolicy): boolean => nowMs - cursor.sweptAtMs >= policy.sweepEveryMs;
