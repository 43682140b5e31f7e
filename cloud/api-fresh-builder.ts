/**
 * The cloud API's `FreshBuilder` (`fresh=true`): one window of one device built "as of now" from a
 * DynamoDB range read by the real builder core (`runBuild` with `atMs`, which reads no rollup
 * state and saves none), published into a per-call in-memory store that is then read back. Nothing
 * is written to S3: the canonical snapshots stay the builder Lambda's. No bucketing code here.
 */
import { readPublishedPayload } from '../builder/publish.js';
import type { Clock, Logger, ObjectHeaders, ObjectInfo, ObjectStore, SampleSource, StoredObject } from '../builder/ports.js';
import type { Payload } from '../builder/types.js';
import { decodePayload } from '../api/snapshots.js';
import { FreshBuildError, type BuildRequest, type FreshBuilder } from '../api/ports.js';
import type { RunBuild } from '../builder/run-build.js';

/** `FreshBuildError` for `request`, its message prefixed with `{device} {window}/{granularity}: `. */
const failed = (request: BuildRequest, message: string): FreshBuildError =>
  new FreshBuildError(request, `${request.device} ${request.window}/${request.granularity}: ${message}`);

/** An `ObjectStore` in process memory, alive for one fresh build (the builder core publishes into it). */
export class ScratchObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private written = 0;

  constructor(private readonly clock: Clock) {}

  async put(key: string, body: Uint8Array, headers: ObjectHeaders): Promise<{ versionId?: string }> {
    this.written += 1;
    const info: ObjectInfo = { key, headers: { ...headers }, lastModifiedMs: this.clock.nowMs(), etag: `"${this.written.toString(16)}-${body.byteLength.toString(16)}"`, bytes: body.byteLength };
    this.objects.set(key, { ...info, body: body.slice() });
    return {};
  }
  async get(key: string): Promise<StoredObject | undefined> {
    return this.objects.get(key);
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    const o = this.objects.get(key);
    if (!o) return undefined;
    const { body: _body, ...info } = o;
    return info;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

/** What `cloudFreshBuilder` needs: the build (`runBuild`, a fake of its type in tests), a source per call (DynamoDB), clock and log. */
export interface CloudFreshBuilderDeps {
  build: RunBuild;
  sourceFor(deviceId: string): SampleSource;
  clock: Clock;
  log: Logger;
}

const PREFIX = 'fresh/';

/**
 * A `FreshBuilder` over the builder core. Builds the request's window (its four granularities, as the
 * core renders them together) and returns the requested one.
 * @throws {FreshBuildError} (api/ports.ts) when the core reports that variant failed or wrote nothing.
 */
export function cloudFreshBuilder(deps: CloudFreshBuilderDeps): FreshBuilder {
  return {
    async build(request, onProgress): Promise<Payload> {
      const store = new ScratchObjectStore(deps.clock);
      onProgress?.(0);
      const report = await deps.build(
        { source: deps.sourceFor(request.device), store, clock: deps.clock, log: deps.log, deviceId: request.device, builder: 'lambda', prefix: PREFIX },
        { windows: [request.window], atMs: deps.clock.nowMs() },
      );
      const outcome = report.snapshots.find((s) => s.window === request.window && s.granularity === request.granularity);
      if (outcome && !outcome.ok) throw failed(request, outcome.error ?? 'the build failed');
      const object = await readPublishedPayload(store, PREFIX, request.window, request.granularity);
      if (!object) throw failed(request, 'the build wrote no payload');
      onProgress?.(1);
      return decodePayload(object);
    },
  };
}
