/**
 * The one place that maps DynamoDB items of the samples table to `Sample`s and `SeriesInfo`s.
 * Item format (`aws/dynamodb-item.ts`):
 * - sample item: `deviceId` S (partition key), `tsMs` N (sort key, ≥ 1), `schemaVersion` N,
 *   `v` M (seriesId → N, canonical unit);
 * - catalogue item at `tsMs = 0`: `series` M (seriesId → M{ sensorId, metric, unit, kind } as S).
 * - optional on the catalogue item: `backfillFromMs` N, the oldest tsMs of a backlog the uploader sent
 *   out of time order (see docs/cloud-builder.md, "Late data"). Absent means none.
 * Attribute names come from `aws/dynamodb-item.ts`, the uploader's definition of the item format.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SERIES_KINDS, type SeriesKind } from '../builder/constants.js';
import type { Sample, SeriesInfo } from '../builder/types.js';

import { BACKFILL_ATTRIBUTE, CATALOG_TS_MS, PARTITION_KEY, SERIES_ATTRIBUTE, SORT_KEY, VALUES_ATTRIBUTE } from './dynamodb-item.js';

export { BACKFILL_ATTRIBUTE, CATALOG_TS_MS, PARTITION_KEY, SERIES_ATTRIBUTE, SORT_KEY, VALUES_ATTRIBUTE };

export type DynamoItem = Record<string, AttributeValue>;

/** A sample item decoded: its instant (epoch ms) and one `Sample` per finite numeric value, by series id. */
export interface DecodedItem {
  tsMs: number;
  samples: Sample[];
}

/**
 * Decode a sample item; `undefined` for anything else (the catalogue item, a foreign item). Values
 * that are not finite numbers are skipped (never stored as NaN).
 */
export function itemToSamples(item: DynamoItem): DecodedItem | undefined {
  const t = item[SORT_KEY]?.N;
  const v = item[VALUES_ATTRIBUTE]?.M;
  if (t === undefined || v === undefined) return undefined;
  const tsMs = Number(t);
  if (!Number.isSafeInteger(tsMs) || tsMs <= CATALOG_TS_MS) return undefined;
  const samples: Sample[] = [];
  for (const seriesId of Object.keys(v).sort()) {
    const n = v[seriesId]?.N;
    const value = n === undefined ? NaN : Number(n);
    if (Number.isFinite(value)) samples.push({ seriesId, tsMs, value });
  }
  return { tsMs, samples };
}

const text = (m: Record<string, AttributeValue> | undefined, k: string): string => m?.[k]?.S ?? '';

/** Series of `deviceId` described by its catalogue item (empty when the item has none). Unknown kinds read as `gauge`. */
export function catalogToSeries(deviceId: string, item: DynamoItem | undefined): SeriesInfo[] {
  const series = item?.[SERIES_ATTRIBUTE]?.M ?? {};
  return Object.keys(series)
    .sort()
    .map((seriesId) => {
      const m = series[seriesId]?.M;
      const kind = text(m, 'kind');
      return {
        deviceId,
        seriesId,
        sensorId: text(m, 'sensorId'),
        metric: text(m, 'metric'),
        unit: text(m, 'unit'),
        kind: (SERIES_KINDS as readonly string[]).includes(kind) ? (kind as SeriesKind) : 'gauge',
      };
    });
}

/** The catalogue item's `backfillFromMs` (epoch ms), or `undefined` when the uploader set none. */
export function backfillFromMs(item: DynamoItem | undefined): number | undefined {
  const n = item?.[BACKFILL_ATTRIBUTE]?.N;
  return n === undefined ? undefined : Number(n);
}
