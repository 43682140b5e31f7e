import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RefreshStatus } from '../../../web/src/api-client.js';
import { RefreshFailedError, followRefreshJob, type EventSourceLike, type RefreshDeps, type RefreshProgress } from '../../../web/src/refresh-job.js';

/** A scripted EventSource: fires the given events (or an error) on the next microtask. */
class ScriptedEvents implements EventSourceLike {
  onerror: ((ev: Event) => void) | null = null;
  closed = false;
  private listeners = new Map<string, (ev: MessageEvent) => void>();
  constructor(script: Array<[string, unknown] | 'error'>) {
    queueMicrotask(() => {
      for (const step of script) {
        if (this.closed) return;
        if (step === 'error') this.onerror?.(new Event('error'));
        else this.listeners.get(step[0])?.({ data: JSON.stringify(step[1]) } as MessageEvent);
      }
    });
  }
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void {
    this.listeners.set(type, listener);
  }
  close(): void {
    this.closed = true;
  }
}

const JOB = { requestId: 'r1', statusUrl: '/samples/refresh/r1', eventsUrl: '/samples/refresh/r1/events' };

function deps(script: Array<[string, unknown] | 'error'>, statuses: RefreshStatus[] = []): RefreshDeps & { polled: number; slept: number[] } {
  const d = {
    polled: 0, slept: [] as number[],
    openEvents: () => new ScriptedEvents(script),
    status: async () => statuses[Math.min(d.polled++, statuses.length - 1)],
    sleep: async (ms: number) => void d.slept.push(ms),
  };
  return d;
}

const follow = suite('followRefreshJob');

follow('reports SSE progress and resolves with the done event', async () => {
  const seen: RefreshProgress[] = [];
  const out = await followRefreshJob(JOB, deps([['queued', {}], ['started', {}], ['progress', { progress: 0.5 }], ['done', { resultUrl: '/r', generatedAt: '2019-09-30T16:03:30Z' }]]), (p) => seen.push(p));
  assert.equal(out, { resultUrl: '/r', generatedAt: '2019-09-30T16:03:30Z' });
  assert.equal(seen, [
    { phase: 'queued', progress: undefined, via: 'sse' }, { phase: 'running', progress: undefined, via: 'sse' },
    { phase: 'running', progress: 0.5, via: 'sse' },
  ]);
});

follow('rejects with the job error on a failed event', async () => {
  try {
    await followRefreshJob(JOB, deps([['failed', { error: 'disk full' }]]), () => {});
    assert.unreachable();
  } catch (err) {
    assert.instance(err, RefreshFailedError);
    assert.is((err as Error).message, 'disk full');
  }
});

follow('polls statusUrl with growing waits when the event stream fails', async () => {
  const d = deps(['error'], [
    { requestId: 'r1', status: 'queued' }, { requestId: 'r1', status: 'running', progress: 0.25 },
    { requestId: 'r1', status: 'done', resultUrl: '/r', generatedAt: 'G' },
  ]);
  const seen: RefreshProgress[] = [];
  const out = await followRefreshJob(JOB, d, (p) => seen.push(p));
  assert.equal(out, { resultUrl: '/r', generatedAt: 'G' });
  assert.is(d.polled, 3);
  assert.equal(d.slept, [500, 750]);
  assert.equal(seen.map((p) => [p.phase, p.progress, p.via]), [['queued', undefined, 'polling'], ['running', 0.25, 'polling']]);
});

follow('switches to polling when the stream says poll (API Gateway cannot stream)', async () => {
  const d = deps([['queued', {}], ['poll', { statusUrl: JOB.statusUrl, retryMs: 2000 }], ['done', { resultUrl: '/never' }]], [
    { requestId: 'r1', status: 'done', resultUrl: '/r', generatedAt: 'G' },
  ]);
  assert.equal(await followRefreshJob(JOB, d, () => {}), { resultUrl: '/r', generatedAt: 'G' });
  assert.is(d.polled, 1);
});

follow('gives up polling after the last try with a message', async () => {
  const d = deps(['error'], [{ requestId: 'r1', status: 'running' }]);
  try {
    await followRefreshJob(JOB, d, () => {});
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /^no result after 130 status checks/);
    assert.is(Math.max(...d.slept), 5000);
  }
});

follow.run();
