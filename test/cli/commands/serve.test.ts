import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gzipSync } from 'node:zlib';
import { httpSend } from '../../support/api-transports.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { buildMeta, buildPayload, encodePayload, sampleSeries, windowObjectWith } from '../../support/snapshot-fixtures.js';
import { windowObjectKey } from '../../../builder/constants.js';
import { FIXTURE_SERIES_IDS, prepareDevice } from '../../support/web-fixture.js';

const TO_MS = Date.UTC(2019, 8, 30, 16, 0, 0);
const serve = suite('sensorctl serve');
const dataDir = mkdtempSync(join(tmpdir(), 'serve-test-'));
serve.after(() => rmSync(dataDir, { recursive: true, force: true }));

function writeSnapshot(): void {
  const dir = join(dataDir, 'snapshots', 'pi-kitchen');
  mkdirSync(dir, { recursive: true });
  const payload = buildPayload({ device: 'pi-kitchen', window: '1d', granularity: 100, toMs: TO_MS, generatedAtMs: TO_MS + 1000, series: sampleSeries('pi-kitchen', TO_MS - 86_400_000, TO_MS, 60_000) });
  const body = encodePayload(payload);
  writeFileSync(join(dir, windowObjectKey('1d')), windowObjectWith(undefined, buildMeta(payload, body), body)); // 1d/100 built, the others never
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
    const unbuilt = await httpSend(url, '/samples/latest?window=1d&samples=20');
    assert.equal([unbuilt.status, JSON.parse(Buffer.from(unbuilt.body).toString()).error.code], [404, 'not_built'], 'a granularity the window object holds no payload of');
    const bad = await httpSend(url, '/samples/latest?window=2h');
    assert.is(bad.status, 400);
    const fresh = await httpSend(url, '/samples/latest?window=1d&samples=100&fresh=true');
    assert.equal([fresh.status, fresh.headers.get('x-snapshot-source'), fresh.headers.get('cache-control')], [200, 'canonical', 'no-store']);
  } finally {
    child.kill('SIGTERM');
  }
  assert.is(await exited, 0);
});

/** Spawn `sensorctl serve` over `dir` and resolve its URL once it listens. */
function spawnServe(dir: string, extra: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dir, '--config', join(dir, 'sensorctl.json'), 'serve', '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  return { child, exited, url };
}

serve('builds fresh=true from the SQLite buffer, reads snapshots the builder wrote, and sends the page\'s .gz copies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'serve-real-'));
  const web = join(dir, 'web');
  mkdirSync(web);
  const html = '<!doctype html><title>x</title>' + 'padding '.repeat(200);
  writeFileSync(join(web, 'index.html'), html);
  writeFileSync(join(web, 'index.html.gz'), gzipSync(html));
  writeFileSync(join(dir, 'sensorctl.json'), JSON.stringify({ deviceId: 'livingroom' }));
  await prepareDevice(dir, 'livingroom'); // sensorctl import + rebuild as of 2019-09-30T16:00Z
  const { child, exited, url: urlP } = spawnServe(dir, ['--static-dir', web]);
  try {
    const url = await urlP;
    const stored = await httpSend(url, '/samples/latest?window=1d&samples=100');
    assert.equal([stored.status, stored.headers.get('last-updated')], [200, '2019-09-30T16:00:00.000Z']);
    const fresh = await httpSend(url, '/samples/latest?window=1h&samples=20&fresh=true');
    assert.equal([fresh.status, fresh.headers.get('x-snapshot-source'), fresh.headers.get('cache-control')], [200, 'fresh', 'no-store']);
    const payload = JSON.parse(new TextDecoder().decode(fresh.body)) as { generatedAt: string; series: Array<{ id: string }> };
    assert.equal(payload.series.map((x) => x.id), FIXTURE_SERIES_IDS);
    assert.ok(Date.parse(payload.generatedAt) > Date.parse('2019-09-30T16:00:00.000Z'), `built as of now, not the stored build (${payload.generatedAt})`);
    const page = await httpSend(url, '/', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    assert.equal([page.status, page.headers.get('content-encoding'), page.headers.get('vary')], [200, 'gzip', 'Accept-Encoding']);
    assert.is(gunzipSync(page.body).toString(), html);
    const plain = await httpSend(url, '/');
    assert.equal([plain.headers.get('content-encoding'), new TextDecoder().decode(plain.body)], [null, html]);
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

serve('rejects a bad --port with exit code 2', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dataDir, 'serve', '--port', '70000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.is(code, 2);
  assert.match(err, '--port 70000: expected an integer 0–65535');
});

serve('defaults to the only device with samples when the configured one has none (an imported data dir)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'serve-imported-'));
  const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  buffer.defineSeries([{ deviceId: 'imported-2019', seriesId: 'bme280-76.tempC', sensorId: 'bme280-76', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  buffer.insert('imported-2019', [{ seriesId: 'bme280-76.tempC', tsMs: TO_MS, value: 21 }]);
  buffer.close();
  writeFileSync(join(dir, 'sensorctl.json'), JSON.stringify({ deviceId: 'raspberrypi' }));
  const { child, exited, url: urlP } = spawnServe(dir);
  let printed = '';
  child.stdout.on('data', (d) => (printed += d));
  try {
    const url = await urlP;
    const devices = await httpSend(url, '/samples/devices');
    assert.equal(JSON.parse(Buffer.from(devices.body).toString()), { devices: [{ id: 'imported-2019' }], defaultDevice: 'imported-2019' });
    assert.match(printed, 'device imported-2019');
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

serve('rejects a --host that is not an address with the usage exit code 2', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dataDir, 'serve', '--port', '0', '--host', '999.1.1.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.is(code, 2);
  assert.match(err, '999.1.1.1');
});

serve.run();
