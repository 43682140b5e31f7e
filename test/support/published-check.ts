/**
 * The kill-safety invariant of publishing, checked on a store: every built meta names a payload that
 * exists and whose sha256 and size are the meta's, and its versionId resolves (the API's pinning) to
 * that same key. Used by the in-process crash test and the SIGKILL test.
 */
import { createHash } from 'node:crypto';
import { allSnapshots } from '../../builder/constants.js';
import type { ObjectStore } from '../../builder/ports.js';
import { decodeSnapshotMeta, payloadKeyOfMeta, payloadKeyOfVersion } from '../../builder/snapshot-meta.js';
import { metaKey } from '../../builder/constants.js';

/** Problems found (empty when every built snapshot under `prefix` is consistent); `built` counts built metas. */
export async function publishedProblems(store: Pick<ObjectStore, 'get'>, prefix: string): Promise<{ problems: string[]; built: number }> {
  const problems: string[] = [];
  let built = 0;
  for (const { window: w, granularity: g } of allSnapshots()) {
    const got = await store.get(prefix + metaKey(w, g));
    if (!got) continue;
    let meta;
    try {
      meta = decodeSnapshotMeta(got.body);
    } catch (err) {
      problems.push(`${w}/${g}: meta unreadable: ${(err as Error).message}`);
      continue;
    }
    if (meta.generatedAt === null) continue;
    built++;
    const key = payloadKeyOfMeta(prefix, { ...meta, window: w, granularity: g });
    const payload = await store.get(key);
    if (!payload) {
      problems.push(`${w}/${g}: meta names ${key}, which is absent`);
      continue;
    }
    const sha = createHash('sha256').update(payload.body).digest('hex');
    if (sha !== meta.sha256) problems.push(`${w}/${g}: payload sha256 ${sha.slice(0, 12)}…, meta says ${String(meta.sha256).slice(0, 12)}…`);
    if (payload.body.byteLength !== meta.bytes) problems.push(`${w}/${g}: payload ${payload.body.byteLength} bytes, meta says ${meta.bytes}`);
    const pinned = meta.versionId ? payloadKeyOfVersion(prefix, w, g, meta.versionId) : undefined;
    if (pinned !== key) problems.push(`${w}/${g}: versionId ${meta.versionId} does not name ${key}`);
  }
  return { problems, built };
}
