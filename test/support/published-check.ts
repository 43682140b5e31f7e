/**
 * The kill-safety invariant of publishing, checked on a store: every window object under a prefix
 * decodes, and in it every built meta has its payload section, whose sha256 and size are the meta's,
 * whose version id is `payloadVersionId` of that sha256, and whose key is the window object's; a
 * state section, when there is one, is a gzip rollup state of the window. Used by the in-process
 * crash test and the SIGKILL test.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GRANULARITIES, PAYLOAD_VERSION_ID_PATTERN, WINDOW_NAMES } from '../../builder/constants.js';
import type { ObjectStore } from '../../builder/ports.js';
import { readWindowObject, windowObjectKeyOf } from '../../builder/publish.js';
import { RollupState } from '../../builder/rollup-state.js';
import type { WindowObject } from '../../builder/window-object.js';

/**
 * Problems found (empty when every window object under `prefix` is consistent); `built` counts built
 * metas, `windows` the window objects present.
 */
export async function publishedProblems(store: Pick<ObjectStore, 'get'>, prefix: string): Promise<{ problems: string[]; built: number; windows: number }> {
  const problems: string[] = [];
  let built = 0;
  let windows = 0;
  for (const w of WINDOW_NAMES) {
    const key = windowObjectKeyOf(prefix, w);
    let object: WindowObject | undefined;
    try {
      object = await readWindowObject(store, prefix, w);
    } catch (err) {
      problems.push(`${w}: window object unreadable: ${(err as Error).message}`);
      continue;
    }
    if (!object) continue;
    windows++;
    if (object.window !== w) problems.push(`${w}: window object says window ${object.window}`);
    for (const g of GRANULARITIES) {
      const meta = object.metas.get(g)!;
      if (meta.window !== w || meta.granularity !== g) problems.push(`${w}/${g}: meta is of ${meta.window}/${meta.granularity}`);
      if (meta.generatedAt === null) {
        if (object.payload(g) !== undefined) problems.push(`${w}/${g}: never-built meta, but a payload section`);
        continue;
      }
      built++;
      const payload = object.payload(g);
      if (!payload) {
        problems.push(`${w}/${g}: built meta, no payload section`);
        continue;
      }
      const sha = createHash('sha256').update(payload).digest('hex');
      if (sha !== meta.sha256) problems.push(`${w}/${g}: payload sha256 ${sha.slice(0, 12)}…, meta says ${String(meta.sha256).slice(0, 12)}…`);
      if (payload.byteLength !== meta.bytes) problems.push(`${w}/${g}: payload ${payload.byteLength} bytes, meta says ${meta.bytes}`);
      const version = PAYLOAD_VERSION_ID_PATTERN.exec(meta.versionId ?? '');
      if (!version || version[2] !== sha.slice(0, 16)) problems.push(`${w}/${g}: versionId ${meta.versionId} is not a version of sha256 ${sha.slice(0, 16)}…`);
      if (meta.key !== key) problems.push(`${w}/${g}: meta key ${meta.key}, the object is ${key}`);
    }
    const state = object.state();
    if (state) {
      try {
        RollupState.fromJSON(JSON.parse(gunzipSync(state).toString('utf8')), w, object.device, key);
      } catch (err) {
        problems.push(`${w}: state section unreadable: ${(err as Error).message}`);
      }
    }
  }
  return { problems, built, windows };
}
