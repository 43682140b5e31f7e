/**
 * Child process of the publishing SIGKILL test: builds the 1h and 1d windows of a generated device
 * into the directory store at argv[2] for ever, on a clock that runs 600× faster than the wall clock
 * (so versions change and old ones get deleted), printing `built n` after each build.
 */
import { runBuild } from '../../builder/run-build.js';
import { silentLog } from '../../builder/ports.js';
import type { Sample } from '../../builder/types.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { MemoryBuffer } from './memory-buffer.js';
import { gauge } from './builder-harness.js';

const T0 = Date.parse('2024-03-10T12:00:00Z');
const SERIES = [gauge('a.tempC'), gauge('b.tempC')];
const samples: Sample[] = [];
for (let ts = T0 - 86_400_000; ts <= T0 + 86_400_000; ts += 30_000) for (const s of SERIES) samples.push({ seriesId: s.seriesId, tsMs: ts, value: 20 + Math.sin(ts / 3_600_000) });
const source = MemoryBuffer.holding(SERIES, samples);
const startMs = Date.now();
const clock = { nowMs: () => T0 + (Date.now() - startMs) * 600 };
const deps = { source, store: new FsObjectStore(process.argv[2]), clock, log: silentLog, deviceId: 'dev1', builder: 'pi' as const };
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  await runBuild(deps, { windows: ['1h', '1d'], full: true });
  process.stdout.write(`built ${n}\n`);
}
