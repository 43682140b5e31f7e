/**
 * `sensorctl rebuild --fallback`: force one fallback push from the Pi (composition root for that verb):
 * builds from the local SQLite buffer and writes under `fallback/snapshots/{deviceId}/` with builder
 * `pi`, through the fenced store; its rollup state lives under `fallback/state/{deviceId}/`.
 */
import { isWindow, WINDOW_NAMES, type Window } from '../builder/constants.js';
import type { Logger, SampleSource } from '../builder/ports.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import { createS3Client, type Env } from '../aws/clients.js';
import { runBuild, type BuildReport, type RunBuild } from '../builder/run-build.js';
import { FallbackRunner } from '../agent/fallback/fallback-runner.js';

export interface FallbackPushOptions {
  bucket: string | undefined;
  deviceId: string;
  /** The opened SQLite buffer. */
  buffer: SampleSource;
  windows?: readonly string[];
  env: Env;
  log: Logger;
  /** Default `runBuild`; tests pass a fake of its type. */
  build?: RunBuild;
  /** Default the wall clock. */
  nowMs?: () => number;
}

/**
 * Push every (or the named) window's snapshots now.
 * @returns the build's report (`snapshots[i].ok` per snapshot).
 * @throws {Error} naming `--bucket` or `--window` for bad options.
 */
export async function runFallbackPush(options: FallbackPushOptions): Promise<BuildReport> {
  if (!options.bucket) throw new Error('--bucket: no bucket given and config has no cloud.bucket');
  const windows = (options.windows ?? WINDOW_NAMES) as string[];
  const bad = windows.find((w) => !isWindow(w));
  if (bad !== undefined) throw new Error(`--window: unknown window ${bad}; allowed: ${WINDOW_NAMES.join(', ')}`);
  const s3 = createS3Client(options.env);
  try {
    const runner = new FallbackRunner({
      deviceId: options.deviceId,
      bucket: new S3ObjectStore(s3, options.bucket),
      source: options.buffer,
      build: options.build ?? runBuild,
      clock: { nowMs: options.nowMs ?? (() => Date.now()) },
      log: options.log,
    });
    return await runner.pushNow(windows as Window[]);
  } finally {
    s3.destroy();
  }
}
