import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryRefreshJobs } from '../../api/memory-refresh-jobs.js';
import type { BuildRequest, JobEvent } from '../../api/ports.js';
import type { Payload } from '../../builder/types.js';

function setup(opts: { fail?: string } = {}) {
  let nowMs = 1_000_000;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const builds: BuildRequest[] = [];
  const builder = {
    async build(req: BuildRequest, onProgress?: (f: number) => void): Promise<Payload> {
      builds.push(req);
      onProgress?.(0.25);
      onProgress?.(0.2); // going back is ignored
      onProgress?.(0.75);
      await gate;
      nowMs += 1500;
      if (opts.fail) throw new Error(opts.fail);
      return { generatedAt: new Date(nowMs).toISOString() } as Payload;
    },
  };
  let n = 0;
  const jobs = new MemoryRefreshJobs({ builder, clock: { nowMs: () => nowMs }, newId: () => `id-${++n}`, keepFinishedMs: 60_000 });
  return { jobs, builds, release, advance: (ms: number) => (nowMs += ms) };
}

const enqueue = suite('MemoryRefreshJobs.enqueue');

enqueue('reuses the queued or running job of the same device/window and starts a new one after it ends', async () => {
  const { jobs, release } = setup();
  const a = await jobs.enqueue({ device: 'pi', window: '1d', granularity: 100 });
  const b = await jobs.enqueue({ device: 'pi', window: '1d', granularity: 20 });
  const c = await jobs.enqueue({ device: 'pi', window: '1h', granularity: 20 });
  assert.equal([a.isNew, b.isNew, c.isNew], [true, false, true]);
  assert.is(b.job.requestId, a.job.requestId);
  assert.is(b.job.granularity, 100);
  release();
  await jobs.idle();
  const d = await jobs.enqueue({ device: 'pi', window: '1d', granularity: 100 });
  assert.ok(d.isNew);
  assert.is(d.job.etaMs - d.job.createdMs, 1500, 'ETA learnt from the last 1d job');
});

enqueue('makes unguessable RFC 9562 v4 ids by default', async () => {
  const jobs = new MemoryRefreshJobs({ builder: { build: async () => ({ generatedAt: 'x' }) as Payload }, clock: { nowMs: () => 0 } });
  const { job } = await jobs.enqueue({ device: 'pi', window: '1h', granularity: 20 });
  assert.match(job.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await jobs.idle();
});

const subscribe = suite('MemoryRefreshJobs.subscribe');

subscribe('replays stored events after the given id, then delivers live ones in order', async () => {
  const { jobs, release } = setup();
  const { job } = await jobs.enqueue({ device: 'pi', window: '1d', granularity: 100 });
  await new Promise((r) => setImmediate(r));
  const seen: JobEvent[] = [];
  const stop = await jobs.subscribe(job.requestId, 1, (e) => seen.push(e));
  assert.equal(seen.map((e) => [e.id, e.type]), [[2, 'started'], [3, 'progress'], [4, 'progress']]);
  release();
  await jobs.idle();
  stop!();
  assert.equal(seen.map((e) => e.type), ['started', 'progress', 'progress', 'done']);
  assert.equal(seen[3].data, { resultUrl: '/samples/latest?window=1d&samples=100&device=pi', generatedAt: new Date(1_001_500).toISOString() });
  assert.is(await jobs.subscribe('id-404', 0, () => undefined), undefined);
});

const get = suite('MemoryRefreshJobs.get');

get('reports failures with their message, and forgets finished jobs after keepFinishedMs', async () => {
  const { jobs, release, advance } = setup({ fail: 'SQLITE_BUSY' });
  const { job } = await jobs.enqueue({ device: 'pi', window: '10d', granularity: 500 });
  release();
  await jobs.idle();
  const failed = (await jobs.get(job.requestId))!;
  assert.equal([failed.status, failed.error, failed.lastEventId], ['failed', 'SQLITE_BUSY', 5]);
  assert.equal((await jobs.eventsAfter(job.requestId, 4))!.map((e) => e.type), ['failed']);
  advance(60_001);
  assert.is(await jobs.get(job.requestId), undefined);
});

enqueue.run();
subscribe.run();
get.run();
