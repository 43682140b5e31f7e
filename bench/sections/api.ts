/**
 * API figures (issue 6): requests/s and p50/p99 latency of `GET /samples/latest` through the Node
 * adapter on loopback (autocannon in its own process), on the snapshots `builder/primary` wrote from
 * the primary dataset, beside a static file server (nginx when installed, else node:http) serving the
 * same stored 1d/100 gzip file, as ratios (API / static; for latency > 1 means slower). See `bench/api.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runApiBench } from '../api.js';
import type { BenchSection, Figure } from '../section.js';

const apiLoopback: BenchSection = {
  name: 'api/loopback',
  needs: ['builder/primary'],
  skip: (ctx) => (ctx.shared.has('primary.dataDir') ? undefined : 'needs builder/primary (its snapshots are served)'),
  async run(ctx) {
    const dataDir = ctx.shared.get('primary.dataDir') as string;
    const deviceId = ctx.shared.get('primary.deviceId') as string;
    const r = await runApiBench({ dataDir, deviceId });
    // What samples=50 is merged from: the stored 1d/500 variant, raw samples or 500 buckets.
    const stored500 = JSON.parse(gunzipSync(readFileSync(join(dataDir, 'snapshots', deviceId, 'latest_1d_500.json'))).toString('utf8')) as { resolution: string };
    const [stored, merged, stat] = r.rows;
    const vs = (value: number, base: number, unit: string): Pick<Figure, 'baseline' | 'ratio'> => ({ baseline: { name: `${r.baseline} static, same file`, value: base, unit }, ratio: value / base });
    const setup = `${r.connections} connections, ${r.seconds} s; ${stored.bytes} B/response`;
    const errs = (n: number) => (n ? `; ${n} non-2xx!` : '');
    return [
      { name: 'GET /samples/latest?window=1d&samples=100', value: stored.requestsPerS, unit: 'req/s', ...vs(stored.requestsPerS, stat.requestsPerS, 'req/s'), note: setup + errs(stored.non2xx) },
      { name: 'GET …samples=100 p50', value: stored.p50Ms, unit: 'ms', ...vs(stored.p50Ms, stat.p50Ms, 'ms') },
      { name: 'GET …samples=100 p99', value: stored.p99Ms, unit: 'ms', ...vs(stored.p99Ms, stat.p99Ms, 'ms') },
      { name: 'GET /samples/latest?window=1d&samples=50 (merged from 500)', value: merged.requestsPerS, unit: 'req/s', ...vs(merged.requestsPerS, stat.requestsPerS, 'req/s'), note: `${merged.bytes} B/response; the stored 1d/500 variant is ${stored500.resolution}` + errs(merged.non2xx) },
      { name: 'GET …samples=50 p50', value: merged.p50Ms, unit: 'ms' },
      { name: 'GET …samples=50 p99', value: merged.p99Ms, unit: 'ms' },
      { name: `${r.baseline} static file (same gzip bytes)`, value: stat.requestsPerS, unit: 'req/s', note: `p50 ${stat.p50Ms} ms, p99 ${stat.p99Ms} ms` + errs(stat.non2xx) },
    ];
  },
};

export const API_SECTIONS: BenchSection[] = [apiLoopback];
