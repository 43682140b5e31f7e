/**
 * Imported first by the files in this folder: the page tests of test/web/ then run against the cloud
 * on one machine (`WEB_TEST_SERVER=cloud-local`) instead of the Pi's API. The server (registered with
 * test/support/web-server.ts, which does not import local/ since local/ imports test/support):
 * `startLocalCloud` (local/cloud-local.ts) with every device's series and samples of the data dir's
 * SQLite buffer written into dynalite as the uploader encodes them, and the builder Lambda's snapshots
 * built as of `snapshotsAtMs`; later builds (refreshes) run at the wall clock. `rebuild` copies a
 * device again and builds as of a given instant. `DEBUG_LOCAL=1` prints the local cloud's log.
 */
import './set-mode.js';
import { silentLog } from '../../../builder/ports.js';
import type { Sample } from '../../../builder/types.js';
import { createLogger } from '../../../cli/log.js';
import { startLocalCloud, type SamplesTable } from '../../../local/cloud-local.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { samplesToItems, writeCatalog, writeItems } from '../../support/dynalite.js';
import { dbPathOf } from '../../support/web-fixture.js';
import { registerCloudLocal, type WebServer, type WebServerOptions } from '../../support/web-server.js';

/** Write `device`'s catalogue and every sample of the data dir's buffer into the local cloud's samples table. */
async function copyDevice(dataDir: string, device: string, samples: SamplesTable): Promise<void> {
  const buffer = SqliteBuffer.open(dbPathOf(dataDir));
  try {
    const series = await buffer.listSeries(device);
    const { chunks } = await buffer.readRange(device, 0, Number.MAX_SAFE_INTEGER);
    const rows: Sample[] = [];
    for await (const chunk of chunks) rows.push(...chunk);
    await writeCatalog(samples.client, samples.table, device, series);
    await writeItems(samples.client, samples.table, samplesToItems(device, rows));
  } finally {
    buffer.close();
  }
}

async function startCloudLocal(opts: WebServerOptions): Promise<WebServer> {
  let builderAtMs: number | undefined = opts.snapshotsAtMs;
  // The cloud's "now" (the builder's refresh jobs, the API's caches and its on-read renders of the 1h
  // window): the fixture's end, moving on with the wall clock, so both agree as they do in AWS. (A fixed
  // clock would keep the API's read cache from ever expiring.) The 1h window moves with it: tests compare
  // the page with the payload it was served (servedPayload), not with the data dir's.
  const startedMs = Date.now();
  const cloudNowMs = () => (opts.snapshotsAtMs === undefined ? Date.now() : opts.snapshotsAtMs + (Date.now() - startedMs));
  const buffer = SqliteBuffer.open(dbPathOf(opts.dataDir));
  const withSamples = buffer.deviceIdsWithSamples();
  buffer.close();
  const cloud = await startLocalCloud({
    deviceIds: [...new Set([opts.deviceId, ...withSamples, ...(opts.deviceIds ?? [])])],
    // The stack's config.json lists its deviceIds; the tests' page finds the devices with samples
    // through GET /samples/devices instead, as on the Pi (where config.json lists none).
    pageDevices: [],
    defaultDeviceId: opts.deviceId,
    // DEBUG_LOCAL=1: the local cloud's log (router requests, builds, queue) on stderr.
    log: process.env.DEBUG_LOCAL ? createLogger('debug') : silentLog,
    schedules: false,
    builderClock: { nowMs: () => builderAtMs ?? cloudNowMs() },
    apiClock: { nowMs: cloudNowMs },
    seed: async (samples) => {
      for (const device of withSamples) await copyDevice(opts.dataDir, device, samples);
    },
  });
  builderAtMs = undefined;
  return {
    url: cloud.url.replace(/\/$/, ''),
    buildClockMs: cloudNowMs,
    async rebuild(device, windows, atMs) {
      await copyDevice(opts.dataDir, device, cloud.samples);
      builderAtMs = atMs;
      try {
        await cloud.build(windows ? [...windows] : undefined);
      } finally {
        builderAtMs = undefined;
      }
    },
    close: () => cloud.close(),
  };
}

registerCloudLocal(startCloudLocal);
