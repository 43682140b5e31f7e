/**
 * API benchmark (issue 6): requests/s and p50/p99 latency of `GET /samples/latest` through the Node
 * adapter on loopback (autocannon), beside a plain static file server on the same stored payload in
 * the same run (nginx from Debian when installed, else node:http serving the file), as a ratio.
 *
 * Run alone: `npx tsx bench/api.ts` (env BENCH_API_SECONDS, default 5 per target; synthetic 1d snapshots). The
 * `api/loopback` section (bench/sections/api.ts) calls `runApiBench({ dataDir, deviceId })` on the builder's snapshots.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeServer } from '../platform/node-http-api.js';
import { createPiApi } from '../pi/pi-api.js';
import { buildMeta, buildPayload, encodePayload, sampleSeries } from '../test/support/snapshot-fixtures.js';

/** autocannon's CLI, run as its own process so the load generator does not share the API's event loop. */
const AUTOCANNON_BIN = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** One measured target: mean requests/s, latency percentiles in ms, mean bytes per response. */
export interface ApiBenchRow {
  target: string;
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  bytes: number;
}

/** The whole API benchmark run. */
export interface ApiBenchResult {
  seconds: number;
  connections: number;
  baseline: string;
  rows: ApiBenchRow[];
  /** API requests/s of the prebuilt payload divided by the static server's. */
  ratioVsStatic: number;
}

const DEVICE = 'pi-bench';

/** A data dir with the 1d/100 and 1d/500 snapshots of four series at 10 s intervals. */
function writeSnapshots(dataDir: string): Uint8Array {
  const toMs = Date.UTC(2019, 8, 30, 16, 0, 0);
  const two = sampleSeries(DEVICE, toMs - 86_400_000, toMs, 10_000);
  const four = [...two, ...two.map((s) => ({ ...s, info: { ...s.info, seriesId: s.info.seriesId + '2' } }))];
  const dir = join(dataDir, 'snapshots', DEVICE);
  mkdirSync(dir, { recursive: true });
  let body100: Uint8Array = new Uint8Array();
  for (const granularity of [100, 500] as const) {
    const payload = buildPayload({ device: DEVICE, window: '1d', granularity, toMs, generatedAtMs: toMs, series: four });
    const body = encodePayload(payload);
    writeFileSync(join(dir, `latest_1d_${granularity}.json`), body);
    writeFileSync(join(dir, `latest_1d_${granularity}.meta.json`), JSON.stringify(buildMeta(payload, body)));
    if (granularity === 100) body100 = body;
  }
  return body100;
}

async function measure(target: string, url: string, seconds: number, connections: number): Promise<ApiBenchRow> {
  const child = spawn(process.execPath, [AUTOCANNON_BIN, '-j', '-c', String(connections), '-d', String(seconds), '-H', 'accept-encoding=gzip', url], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.on('exit', resolve));
  const r = JSON.parse(out);
  return { target, requestsPerS: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, bytes: Math.round(r.throughput.total / Math.max(1, r.requests.total)) };
}

function hasNginx(): boolean {
  return spawnSync('nginx', ['-v']).status === 0;
}

/** nginx serving `file` as a stored gzip object; resolves with its URL and a stop function. */
async function startNginx(dir: string, file: Uint8Array): Promise<{ url: string; stop: () => void; child: ChildProcess }> {
  const port = await freePort();
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www', 'latest_1d_100.json'), file, { mode: 0o644 });
  for (const d of [join(dir, '..'), dir, join(dir, 'www')]) chmodSync(d, 0o755); // nginx workers run as nobody
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, t)};`).join(' ');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1; pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'error.log')}; daemon off;
events { worker_connections 1024; }
http { access_log off; ${temp}
  server { listen 127.0.0.1:${port}; root ${join(dir, 'www')};
    location / { default_type application/json; add_header Content-Encoding gzip; add_header Cache-Control "public, max-age=300"; } } }
`);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/latest_1d_100.json`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return { url, stop: () => child.kill('SIGQUIT'), child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not start: ${readFileSync(join(dir, 'error.log'), 'utf8').slice(-500)}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** node:http answering every request with the stored gzip bytes (the fallback baseline). */
async function startNodeStatic(file: Uint8Array): Promise<{ url: string; stop: () => void }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': file.byteLength, 'cache-control': 'public, max-age=300' }).end(file);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/latest_1d_100.json`, stop: () => server.close() };
}

/** Where the API reads its snapshots from; without `dataDir`, synthetic 1d snapshots are written to a temp dir. */
export interface ApiBenchOptions {
  /** Seconds per target (default env BENCH_API_SECONDS, else 5). */
  seconds?: number;
  /** Concurrent autocannon connections (default 10). */
  connections?: number;
  /** A data dir holding `snapshots/<deviceId>/latest_1d_100.json` etc. (e.g. what the builder wrote). */
  dataDir?: string;
  deviceId?: string;
}

/** Run the API benchmark: the API's two 1d requests and the static server on the stored 1d/100 gzip bytes. */
export async function runApiBench(options: ApiBenchOptions = {}): Promise<ApiBenchResult> {
  const seconds = options.seconds ?? Number(process.env.BENCH_API_SECONDS ?? 5);
  const connections = options.connections ?? 10;
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  try {
    const dataDir = options.dataDir ?? dir;
    const device = options.dataDir ? options.deviceId ?? DEVICE : DEVICE;
    const file = options.dataDir ? new Uint8Array(readFileSync(join(dataDir, 'snapshots', device, 'latest_1d_100.json'))) : writeSnapshots(dir);
    const { api } = createPiApi({ snapshotDir: dataDir, deviceId: device, fresh: { build: async () => { throw new Error('no fresh builds in the benchmark'); } } });
    const server = await startNodeServer(api, '127.0.0.1', 0);
    const useNginx = hasNginx();
    const baseline = useNginx ? await startNginx(join(dir, 'nginx'), file) : await startNodeStatic(file);
    try {
      const rows = [
        await measure('api /samples/latest?window=1d&samples=100 (stored gzip)', `${server.url}samples/latest?window=1d&samples=100`, seconds, connections),
        await measure('api /samples/latest?window=1d&samples=50 (merged from 500)', `${server.url}samples/latest?window=1d&samples=50`, seconds, connections),
        await measure(`${useNginx ? 'nginx' : 'node:http'} static, same gzip file`, baseline.url, seconds, connections),
      ];
      return { seconds, connections, baseline: useNginx ? 'nginx' : 'node:http', rows, ratioVsStatic: Math.round((rows[0].requestsPerS / rows[2].requestsPerS) * 1000) / 1000 };
    } finally {
      baseline.stop();
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as a plain table. */
export function formatApiBench(result: ApiBenchResult): string {
  const lines = result.rows.map((row) => `${row.target.padEnd(62)} ${String(row.requestsPerS).padStart(8)} req/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms  ${row.bytes} B/resp  non-2xx ${row.non2xx}`);
  return [`API on loopback, ${result.connections} connections, ${result.seconds} s each`, ...lines, `ratio api/static (stored gzip): ${result.ratioVsStatic}`].join('\n');
}

if (process.argv[1] && /bench\/api\.ts$/.test(process.argv[1])) {
  const result = await runApiBench();
  console.log(formatApiBench(result));
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/api.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
}
