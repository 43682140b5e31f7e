/**
 * The one definition of the snapshot matrix: windows, granularities, cache TTLs, rebuild cadences
 * and object key names. Builder, API, CLI and web import this module; nothing else spells a window.
 *
 * This module imports nothing, so the browser bundle can include it.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * How the CLOUD produces a window (the Pi builds every window on its cadence either way):
 * - `scheduled`: the builder Lambda rebuilds it on an EventBridge schedule (`rebuildEveryMs`, at least
 *   one minute) and publishes it to S3, where the API reads it;
 * - `onRead`: no schedule and no S3 object: the API renders it per request from a DynamoDB range read
 *   (the builder core through the API's `FreshBuilder`), cached by CloudFront for `ttlS`. For a small
 *   window this costs a few reads per view, while a schedule costs S3 PUTs every minute whether anyone
 *   looks or not (the 1h window: 8 PUTs a minute ≈ $1.73 per device-month, issue 14).
 */
export type CloudRender = 'scheduled' | 'onRead';

/** Per-window settings. `spanMs`: window length; `ttlS`: HTTP/CDN cache max-age of its payloads;
 *  `rebuildEveryMs`: how often the builder refreshes it; `cloudRender`: how the cloud produces it
 *  (`CloudRender`); `label`: for people. */
export interface WindowSpec {
  readonly spanMs: number;
  readonly ttlS: number;
  readonly rebuildEveryMs: number;
  readonly cloudRender: CloudRender;
  readonly label: string;
}

/**
 * The fixed windows. 3m = 90 days, 12m = 365 days. Cadence: ≤ 1h windows every 30 s with a 30 s
 * TTL; larger windows every 5–15 min with a TTL equal to their cadence. In the cloud the 1h window is
 * rendered on read (`CloudRender`), the others are scheduled.
 */
export const WINDOWS = {
  '1h': { spanMs: HOUR_MS, ttlS: 30, rebuildEveryMs: 30_000, cloudRender: 'onRead', label: '1 hour' },
  '10h': { spanMs: 10 * HOUR_MS, ttlS: 300, rebuildEveryMs: 5 * MINUTE_MS, cloudRender: 'scheduled', label: '10 hours' },
  '1d': { spanMs: DAY_MS, ttlS: 300, rebuildEveryMs: 5 * MINUTE_MS, cloudRender: 'scheduled', label: '1 day' },
  '10d': { spanMs: 10 * DAY_MS, ttlS: 600, rebuildEveryMs: 10 * MINUTE_MS, cloudRender: 'scheduled', label: '10 days' },
  '3m': { spanMs: 90 * DAY_MS, ttlS: 900, rebuildEveryMs: 15 * MINUTE_MS, cloudRender: 'scheduled', label: '3 months' },
  '12m': { spanMs: 365 * DAY_MS, ttlS: 900, rebuildEveryMs: 15 * MINUTE_MS, cloudRender: 'scheduled', label: '12 months' },
} as const satisfies Record<string, WindowSpec>;

export type Window = keyof typeof WINDOWS;

/** Windows in ascending span order. */
export const WINDOW_NAMES = Object.keys(WINDOWS) as Window[];

/** Windows the cloud renders per request (`cloudRender: 'onRead'`): no schedule, no S3 snapshot. */
export const CLOUD_ON_READ_WINDOWS: readonly Window[] = WINDOW_NAMES.filter((w) => WINDOWS[w].cloudRender === 'onRead');

/** Windows the cloud builder Lambda rebuilds on a schedule and publishes to S3 (`cloudRender: 'scheduled'`). */
export const CLOUD_SCHEDULED_WINDOWS: readonly Window[] = WINDOW_NAMES.filter((w) => WINDOWS[w].cloudRender === 'scheduled');

/** Points per snapshot. 500 is the finest; every other granularity divides it (25, 5, 2 fine buckets). */
export const GRANULARITIES = [20, 100, 250, 500] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The finest prebuilt granularity; rollups are kept at this bucket width per window. */
export const FINEST_GRANULARITY: Granularity = 500;

/** Default `samples` for the API when the caller does not ask. */
export const DEFAULT_GRANULARITY: Granularity = 500;

/** Cache max-age of meta objects, in seconds: short, so freshness shows quickly. */
export const META_TTL_S = 10;

/** Raw samples older than this are deleted by retention (the 12m window). */
export const RETENTION_MS = WINDOWS['12m'].spanMs;

/**
 * Aggregation kinds of a series: gauges are averaged, counters are summed per bucket, circular
 * series (angles in degrees: a wind direction) are averaged with the circular mean, so 350° and 10°
 * average to 0°, not 180° (see `circular-mean.ts`).
 */
export const SERIES_KINDS = ['gauge', 'counter', 'circular'] as const;
export type SeriesKind = (typeof SERIES_KINDS)[number];

/**
 * In a raw payload, a step between two samples of a series longer than this many times the series'
 * median step in the window is an outage: a gap marker (a `null` point) is put between them, so a
 * chart breaks the line instead of joining across the hole.
 */
export const RAW_GAP_FACTOR = 4;

/** Minimum samples for a bucket to carry values; fewer is an empty bucket (null values). */
export const MIN_SAMPLES_PER_BUCKET = 1;

export function isWindow(value: unknown): value is Window {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(WINDOWS, value);
}

export function isGranularity(value: unknown): value is Granularity {
  return typeof value === 'number' && (GRANULARITIES as readonly number[]).includes(value);
}

/** Bucket width in ms of `window` at `granularity`: span / granularity (an integer for every pair). */
export function bucketMsOf(window: Window, granularity: Granularity): number {
  return WINDOWS[window].spanMs / granularity;
}

/** Every (window, granularity) pair: 6 × 4 = 24 snapshots. */
export function allSnapshots(): Array<{ window: Window; granularity: Granularity }> {
  return WINDOW_NAMES.flatMap((window) => GRANULARITIES.map((granularity) => ({ window, granularity })));
}

/**
 * Key of a window's object under a device prefix, e.g. `latest_1h.snapshots`: ONE object per window
 * holding the meta and gzip payload of its four granularities and the window's rollup state
 * (`builder/window-object.ts`), written by ONE put per build (issue 14: a PUT per object is what
 * the cloud pays for). Readers get meta, payload and state from it; the put is the commit point.
 */
export const windowObjectKey = (window: Window): string => `latest_${window}.snapshots`;

/** Matches window object keys; group 1 is the window. */
export const WINDOW_OBJECT_KEY_PATTERN = /^latest_([0-9a-z]+)\.snapshots$/;

/**
 * Version id of a published payload: `v<startMs>-<first 16 hex of its sha256>`, e.g.
 * `v1700000000000-0123456789abcdef` (start of the publish in epoch ms, so versions sort by time).
 */
export const payloadVersionId = (startMs: number, sha256Hex: string): string => `v${startMs}-${sha256Hex.slice(0, 16)}`;

/** Matches `payloadVersionId` values; group 1 is the start time in ms. */
export const PAYLOAD_VERSION_ID_PATTERN = /^v([0-9]+)-([0-9a-f]{16})$/;

/**
 * Keys of earlier releases' per-snapshot layout under a device prefix (`latest_1h_20.meta.json`, its
 * payload `latest_1h_20.json`, versions `latest_1h_20.v…json`, staged `latest_1h_20.tmp-….json`):
 * never read; deleted by the first build of a window in the window-object layout.
 */
export const LEGACY_SNAPSHOT_KEY_PATTERN = /^latest_[0-9a-z]+_[0-9]+\.(?:.*\.)?json$/;

/** Device ids and series ids: letters, digits and `._:-`, 1–64 characters (safe in keys and URLs). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Key prefix of one device's canonical snapshots, e.g. `snapshots/pi-kitchen/`. */
export const devicePrefix = (deviceId: string): string => `snapshots/${deviceId}/`;

/** Key prefix of the Pi's last-resort copies; mirrors the canonical layout under `fallback/`. */
export const fallbackPrefix = (deviceId: string): string => `fallback/${devicePrefix(deviceId)}`;

/** Windows as the API's alternative parameters: `minutes=60`, `hours=1|10`, `days=1|10`, `months=3|12`. */
export const WINDOW_ALIASES: Readonly<Record<'minutes' | 'hours' | 'days' | 'months', Readonly<Record<string, Window>>>> = {
  minutes: { '60': '1h' },
  hours: { '1': '1h', '10': '10h' },
  days: { '1': '1d', '10': '10d' },
  months: { '3': '3m', '12': '12m' },
};
