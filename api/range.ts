/**
 * GET /samples/range?from&to[&samples=N][&device]: the raw samples of any span, read from the raw
 * store (SQLite on the Pi, DynamoDB in the cloud) within a sample budget and downsampled on the
 * server with M4 to `samples` pixel columns, gaps as `null` points (docs/api-contract.md).
 */
import { isoOf } from '../builder/codec.js';
import type { RangePayload } from '../builder/types.js';
import type { ApiContext } from './context.js';
import { requireSamples, resolveDevice } from './devices.js';
import { ApiError, badParameter, echo } from './errors.js';
import { gzip } from './gzip.js';
import { JSON_TYPE, acceptsGzip } from './http.js';
import { M4 } from './m4.js';
import { parseDevice, singleValues } from './params.js';

/** Parameter names accepted by GET /samples/range. */
export const RANGE_PARAMS = ['from', 'to', 'samples', 'device'] as const;
/** Default and largest pixel columns. */
export const DEFAULT_RANGE_COLUMNS = 1000;
export const MAX_RANGE_COLUMNS = 4000;

/** An instant: epoch ms (digits) or ISO 8601 with a zone (`2019-09-30T16:00:00Z`). */
function parseInstant(name: 'from' | 'to', value: string | undefined): number {
  if (value === undefined) throw badParameter(name, `${name} is required: epoch ms or ISO 8601 UTC such as 2019-09-30T16:00:00Z`);
  const ms = /^[0-9]{1,15}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isSafeInteger(ms)) throw badParameter(name, `${name}=${echo(value)} is not epoch ms or ISO 8601 with a zone`);
  return ms;
}

function parseColumns(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RANGE_COLUMNS;
  const n = /^[1-9][0-9]{0,3}$/.test(value) ? Number(value) : NaN;
  if (!(n <= MAX_RANGE_COLUMNS)) throw badParameter('samples', `samples=${echo(value)} is not an integer 1..${MAX_RANGE_COLUMNS} (pixel columns)`, [`1..${MAX_RANGE_COLUMNS}`]);
  return n;
}

/** Read `[fromMs, toMs]` of `device` through M4, refusing past the budget. */
async function downsample(ctx: ApiContext, device: string, fromMs: number, toMs: number, columns: number): Promise<RangePayload> {
  const source = ctx.samples!();
  const infos = (await source.listSeries(device)).slice().sort((a, b) => a.seriesId.localeCompare(b.seriesId));
  const m4 = new Map(infos.map((s) => [s.seriesId, new M4(fromMs, toMs, columns)]));
  const budget = ctx.options.rangeBudgetSamples;
  let samplesRead = 0;
  const { chunks } = await source.readRange(device, fromMs, toMs);
  for await (const chunk of chunks) {
    samplesRead += chunk.length;
    if (samplesRead > budget) {
      throw new ApiError(422, 'range_too_large', `the range holds more than ${budget} samples; choose a shorter range (or a window snapshot)`, 'from');
    }
    for (const s of chunk) m4.get(s.seriesId)?.add(s.tsMs, s.value);
  }
  let isRaw = true;
  const series = infos.map((s) => {
    const down = m4.get(s.seriesId)!;
    const { points, isRaw: raw } = down.result();
    isRaw &&= raw;
    return { id: s.seriesId, metric: s.metric, unit: s.unit, kind: s.kind, points, latest: down.newest ?? null };
  });
  return { schemaVersion: 1, device, from: isoOf(fromMs), to: isoOf(toMs), samples: columns, resolution: isRaw ? 'raw' : 'm4', samplesRead, series };
}

/** GET /samples/range. */
export async function handleRange(req: Request, url: URL, ctx: ApiContext): Promise<Response> {
  if (!ctx.samples) throw new ApiError(404, 'not_found', 'this API has no raw store to read ranges from');
  const values = singleValues(url.searchParams, RANGE_PARAMS);
  const fromMs = parseInstant('from', values.get('from'));
  const toMs = parseInstant('to', values.get('to'));
  if (toMs <= fromMs) throw badParameter('to', `to must be after from (got ${isoOf(fromMs)} .. ${isoOf(toMs)})`);
  const columns = parseColumns(values.get('samples'));
  const device = await resolveDevice(ctx.devices, parseDevice(values.get('device')));
  await requireSamples(ctx.devices, device);
  const payload = await downsample(ctx, device, fromMs, toMs, columns);
  const json = new TextEncoder().encode(JSON.stringify(payload));
  const isGzip = acceptsGzip(req.headers.get('accept-encoding'));
  const headers: Record<string, string> = { 'Content-Type': JSON_TYPE, 'Cache-Control': 'public, max-age=30', Vary: 'Accept-Encoding', 'X-Samples-Read': String(payload.samplesRead) };
  if (isGzip) headers['Content-Encoding'] = 'gzip';
  return new Response((isGzip ? await gzip(json) : json) as Uint8Array<ArrayBuffer>, { status: 200, headers });
}
