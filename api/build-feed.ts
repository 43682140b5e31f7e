/**
 * Builds pushed to pages: `BuildNotifier` hears the canonical window-object writes of the stores it
 * wraps (one put commits a window's four snapshots, `builder/publish.ts`) and tells its subscribers;
 * `GET /samples/builds` streams them as Server-Sent Events (`event: build`, data `PublishedBuild`),
 * with comment heartbeats, until the client goes. Pages then fetch the new snapshot at once instead of
 * waiting for the meta's `expiresAt`; without a feed (the cloud) the route is a 404 and pages poll.
 */
import { WINDOW_OBJECT_KEY_PATTERN } from '../builder/constants.js';
import type { ObjectStore } from '../builder/ports.js';
import { decodeWindowObject } from '../builder/window-object.js';
import type { ApiContext } from './context.js';
import { ApiError } from './errors.js';
import { singleValues } from './params.js';
import type { BuildFeed, PublishedBuild, TimerHandle } from './ports.js';
import { SSE_HEADERS } from './sse.js';

/** A canonical window-object key, `snapshots/<device>/latest_<window>.snapshots` (not the fallback copies); group 1 is the device, 2 the object's name. */
const CANONICAL_WINDOW_OBJECT_KEY = /^snapshots\/([^/]+)\/([^/]+)$/;

/**
 * The builds a write of `key` publishes: one per granularity of the window object (ascending), or
 * none when `key` is not a canonical window object or its body does not decode.
 */
export function publishedBuildsOf(key: string, body: Uint8Array): PublishedBuild[] {
  const m = CANONICAL_WINDOW_OBJECT_KEY.exec(key);
  if (!m || !WINDOW_OBJECT_KEY_PATTERN.test(m[2])) return [];
  try {
    const object = decodeWindowObject(body);
    return [...object.metas.values()].map((meta) => ({
      device: m[1], window: object.window, granularity: meta.granularity, versionId: meta.versionId, generatedAt: meta.generatedAt, stale: meta.stale,
    }));
  } catch {
    return [];
  }
}

/** A `BuildFeed` fed by the stores it wraps (`watching`), in process. */
export class BuildNotifier implements BuildFeed {
  private readonly listeners = new Set<(build: PublishedBuild) => void>();

  subscribe(listener: (build: PublishedBuild) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Tell every subscriber; a throwing listener does not stop the others. */
  publish(build: PublishedBuild): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(build);
      } catch {
        /* one broken stream must not stop the others */
      }
    }
  }

  /** `store`, with each canonical window object `put` published (its four builds) once the write has resolved. */
  watching(store: ObjectStore): ObjectStore {
    return {
      put: async (key, body, headers, options) => {
        const result = await store.put(key, body, headers, options);
        for (const build of publishedBuildsOf(key, body)) this.publish(build);
        return result;
      },
      delete: (key) => store.delete(key),
      get: (key, options) => store.get(key, options),
      head: (key) => store.head(key),
      list: (prefix) => store.list(prefix),
    };
  }
}

const encoder = new TextEncoder();

/** GET /samples/builds: a live `text/event-stream` of every build published from now on. */
export async function handleBuildEvents(_req: Request, url: URL, ctx: ApiContext): Promise<Response> {
  singleValues(url.searchParams, []);
  const feed = ctx.builds;
  if (!feed || ctx.options.sseMode !== 'stream') {
    throw new ApiError(404, 'not_found', 'this API does not push builds; follow /samples/latest/meta (expiresAt) instead');
  }
  let heartbeat: TimerHandle | undefined;
  let unsubscribe: (() => void) | undefined;
  const stop = (): void => {
    heartbeat?.cancel();
    unsubscribe?.();
    heartbeat = undefined;
    unsubscribe = undefined;
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string): void => controller.enqueue(encoder.encode(text));
      const beat = (): void => {
        write(': hb\n\n');
        heartbeat = ctx.scheduler.setTimer(ctx.options.heartbeatMs, beat);
      };
      write(`retry: ${ctx.options.sseRetryMs}\n\n`);
      heartbeat = ctx.scheduler.setTimer(ctx.options.heartbeatMs, beat);
      unsubscribe = feed.subscribe((build) => write(`event: build\ndata: ${JSON.stringify(build)}\n\n`));
    },
    cancel: stop,
  });
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}
