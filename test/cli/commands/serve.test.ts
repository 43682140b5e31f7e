import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { httpSend } from '../../support/api-transports.js';
import { buildMeta, buildPayload, encodePayload, sampleSeries } from '../../support/snapshot-fixtures.js';

const TO_MS = Date.UTC(2019, 8, 30, 16, 0, 0);
const serve = suite('sensorctl serve');
const dataDir = mkdtempSync(join(tmpdir(), 'serve-test-'));
serve.after(() => rmSync(dataDir, { recursive: true, force: true }));

function writeSnapshot(): void {
  const dir = join(dataDir, 'snapshots', 'pi-kitchen');
  mkdirSync(dir, { recursive: true });
  const payload = buildPayload({ device: 'pi-kitchen', window: '1d', granularity: 100, toMs: TO_MS, generatedAtMs: TO_MS + 1000, series: sampleSeries('pi-kitchen', TO_MS - 86_400_000, TO_MS, 60_000) });
  const body = encodePayload(payload);
  writeFileSync(join(dir, 'latest_1d_100.json'), body);
  writeFileSync(join(dir, 'latest_1d_100.meta.json'), JSON.stringify(buildMeta(payload, body)));
  writeFileSync(join(dataDir, 'sensorctl.json'), JSON.stringify({ deviceId: 'pi-kitchen', http: { port: 0 } }));
}

serve('serves the data directory snapshots on the printed URL and exits 0 on SIGTERM', async () => {
  writeSnapshot();
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dataDir, '--config', join(dataDir, 'sensorctl.json'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const res = await httpSend(url, '/samples/latest?window=1d&samples=100', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.is(res.status, 200);
    assert.is(res.headers.get('content-encoding'), 'gzip');
    assert.is(res.headers.get('cache-control'), 'public, max-age=300');
    assert.is(JSON.parse(gunzipSync(res.body).toString()).series[0].points.length, 100);
    const bad = await httpSend(url, '/samples/latest?window=2h');
    assert.is(bad.status, 400);
    const fresh = await httpSend(url, '/samples/latest?window=1d&samples=100&fresh=true');
    assert.equal([fresh.status, fresh.headers.get('x-snapshot-source'), fresh.headers.get('cache-control')], [200, 'canonical', 'no-store']);
  } finally {
    child.kill('SIGTERM');
  }
  assert.is(await exited, 0);
});

serve('rejects a bad --port with exit code 2', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dataDir, 'serve', '--port', '70000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.is(code, 2);
  assert.match(err, '--port 70000: expected an integer 0–65535');
});

serve.run();
