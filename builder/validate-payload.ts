/**
 * Structural validation of payloads and meta, mirroring `builder/schema/*.schema.json` (the schemas
 * are the contract for other readers; this is the builder's own check before and after publishing).
 */
import { ID_PATTERN, SERIES_KINDS, bucketMsOf, isGranularity, isWindow } from './constants.js';
import type { Payload, SnapshotMeta } from './types.js';

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isIso = (v: unknown): v is string => typeof v === 'string' && ISO_RE.test(v) && !Number.isNaN(Date.parse(v));
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isInteger(v);
const REL_EPS = 1e-12;

function bucketPointProblems(pt: Record<string, unknown>, where: string, expectedStartMs: number, isCircular: boolean): string[] {
  const out: string[] = [];
  if (pt.startMs !== expectedStartMs) out.push(`${where}.startMs ${String(pt.startMs)}, expected ${expectedStartMs}`);
  if (!isInt(pt.count) || (pt.count as number) < 0) out.push(`${where}.count must be an integer ≥ 0`);
  const fields = ['avg', 'min', 'max', 'sum'] as const;
  if (pt.count === 0) {
    for (const f of fields) if (pt[f] !== null) out.push(`${where}.${f} must be null in an empty bucket`);
    return out;
  }
  for (const f of fields) if (!isNum(pt[f]) && !(isCircular && f === 'avg' && pt[f] === null)) out.push(`${where}.${f} must be a finite number`);
  if (out.length) return out;
  if (isCircular) {
    // Circular mean: a bearing in [0, 360) (null when the angles cancel out); min/max are numeric.
    const avg = pt.avg as number | null;
    if (!((pt.min as number) <= (pt.max as number)) || (avg !== null && !(avg >= 0 && avg < 360))) out.push(`${where}: need min ≤ max and 0 ≤ avg < 360 (circular), got ${String(pt.min)}, ${String(avg)}, ${String(pt.max)}`);
    return out;
  }
  const [avg, min, max] = [pt.avg as number, pt.min as number, pt.max as number];
  const eps = REL_EPS * Math.max(Math.abs(min), Math.abs(max), 1);
  if (!(min <= max && avg >= min - eps && avg <= max + eps)) out.push(`${where}: need min ≤ avg ≤ max, got ${min}, ${avg}, ${max}`);
  return out;
}

function latestProblems(latest: unknown, where: string, fromMs: number, toMs: number): string[] {
  if (latest === undefined || latest === null) return [];
  const l = latest as Record<string, unknown>;
  if (!isInt(l.tsMs) || !isNum(l.value)) return [`${where}.latest needs integer tsMs and finite value`];
  return (l.tsMs as number) < fromMs || (l.tsMs as number) > toMs ? [`${where}.latest.tsMs ${String(l.tsMs)} lies outside [from, to]`] : [];
}

/**
 * Problems of `value` as a `Payload` (empty when valid): field types, window/granularity from the
 * matrix, bucket count and alignment, empty-bucket nulls, raw points ascending inside `[from, to]`.
 */
export function payloadProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['payload must be a JSON object'];
  const p = value as Record<string, unknown>;
  const out: string[] = [];
  if (p.schemaVersion !== 1) out.push('schemaVersion must be 1');
  if (!isWindow(p.window)) out.push(`window ${JSON.stringify(p.window)} is not a known window`);
  if (!isGranularity(p.granularity)) out.push(`granularity ${JSON.stringify(p.granularity)} is not a known granularity`);
  for (const f of ['from', 'to', 'generatedAt'] as const) if (!isIso(p[f])) out.push(`${f} must be an ISO 8601 UTC string`);
  if (typeof p.lastBucketPartial !== 'boolean') out.push('lastBucketPartial must be a boolean');
  if (typeof p.device !== 'string' || !ID_PATTERN.test(p.device)) out.push('device must be a device id');
  if (!Array.isArray(p.series)) out.push('series must be an array');
  if (out.length) return out;
  const raw = p.resolution === 'raw';
  if (!raw && p.resolution !== 'bucketed') return ['resolution must be "bucketed" or "raw"'];
  if (raw && (p.granularity !== 500 || p.bucketMs !== null)) out.push('a raw payload has granularity 500 and bucketMs null');
  const bucketMs = raw ? 0 : bucketMsOf(p.window as never, p.granularity as never);
  if (!raw && p.bucketMs !== bucketMs) out.push(`bucketMs ${String(p.bucketMs)}, expected ${bucketMs}`);
  const fromMs = Date.parse(p.from as string);
  const toMs = Date.parse(p.to as string);
  (p.series as unknown[]).forEach((sv, si) => {
    const s = sv as Record<string, unknown>;
    const where = `series[${si}]`;
    if (typeof s?.id !== 'string' || typeof s.metric !== 'string' || typeof s.unit !== 'string') out.push(`${where}: id, metric, unit must be strings`);
    if (!(SERIES_KINDS as readonly unknown[]).includes(s?.kind)) out.push(`${where}.kind must be one of ${SERIES_KINDS.join(', ')}`);
    if (!Array.isArray(s?.points)) return void out.push(`${where}.points must be an array`);
    const pts = s.points as Array<Record<string, unknown>>;
    out.push(...latestProblems(s.latest, where, fromMs, toMs));
    if (raw) {
      const samples = pts.filter((pt) => pt?.value !== null).length;
      if (samples > 500) out.push(`${where}: ${samples} raw samples, at most 500`);
      let prev = -Infinity;
      pts.forEach((pt, i) => {
        if (!isInt(pt?.tsMs) || !(isNum(pt.value) || pt.value === null)) return void out.push(`${where}.points[${i}] needs integer tsMs and a finite or null value`);
        if (pt.value === null && (i === 0 || i === pts.length - 1 || pts[i - 1]?.value === null)) out.push(`${where}.points[${i}]: a gap marker lies between two samples`);
        const t = pt.tsMs as number;
        if (t <= prev || t < fromMs || t > toMs) out.push(`${where}.points[${i}].tsMs ${t} not ascending inside [from, to]`);
        prev = t;
      });
    } else {
      if (pts.length !== p.granularity) out.push(`${where}: ${pts.length} points, expected ${String(p.granularity)}`);
      pts.forEach((pt, i) => out.push(...bucketPointProblems(pt ?? {}, `${where}.points[${i}]`, fromMs + i * bucketMs, s.kind === 'circular')));
      if (pts.length && toMs >= fromMs + pts.length * bucketMs) out.push('to lies after the last bucket');
    }
  });
  return out;
}

/** Problems of `value` as a `SnapshotMeta` (empty when valid). */
export function metaProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['meta must be a JSON object'];
  const m = value as Record<string, unknown>;
  const out: string[] = [];
  if (m.schemaVersion !== 1) out.push('schemaVersion must be 1');
  if (!isWindow(m.window)) out.push('window is not a known window');
  if (!isGranularity(m.granularity)) out.push('granularity is not a known granularity');
  if (typeof m.device !== 'string' || typeof m.key !== 'string') out.push('device and key must be strings');
  const built = m.generatedAt !== null;
  for (const f of ['generatedAt', 'expiresAt'] as const) if (!(built ? isIso(m[f]) : m[f] === null)) out.push(`${f} must be ISO (or null before the first build)`);
  for (const f of ['versionId', 'stagedKey', 'sha256'] as const) if (!(built ? typeof m[f] === 'string' : m[f] === null)) out.push(`${f} must be a string (or null before the first build)`);
  for (const f of ['bytes', 'pointCount'] as const) if (!(built ? isInt(m[f]) : m[f] === null)) out.push(`${f} must be an integer (or null before the first build)`);
  if (built && !/^[0-9a-f]{64}$/.test(String(m.sha256))) out.push('sha256 must be 64 hex digits');
  if (typeof m.stale !== 'boolean') out.push('stale must be a boolean');
  if (!isInt(m.consecutiveFailures) || (m.consecutiveFailures as number) < 0) out.push('consecutiveFailures must be an integer ≥ 0');
  if (!(m.lastError === null || typeof m.lastError === 'string')) out.push('lastError must be a string or null');
  if (!(m.lastFailureAt === null || isIso(m.lastFailureAt))) out.push('lastFailureAt must be ISO or null');
  if (m.builder !== 'pi' && m.builder !== 'lambda') out.push('builder must be "pi" or "lambda"');
  return out;
}

/** Type guard over `payloadProblems`. */
export const isPayload = (value: unknown): value is Payload => payloadProblems(value).length === 0;
/** Type guard over `metaProblems`. */
export const isSnapshotMeta = (value: unknown): value is SnapshotMeta => metaProblems(value).length === 0;
