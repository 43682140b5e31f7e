/**
 * The `ObjectStore` contract: one suite every adapter that runs locally must pass. Run against
 * `MemoryObjectStore` (test/builder/memory-object-store.test.ts), `FsObjectStore`
 * (test/platform/fs-object-store.test.ts) and `S3ObjectStore` on s3rver and on the versioned-bucket
 * emulation (test/aws/s3-object-store-contract.test.ts). Call `objectStoreContract(name, open, versions)`
 * from the adapter's test file.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ObjectHeaders, ObjectStore } from '../../builder/ports.js';

/** A fresh, empty store and how to dispose of it. */
export interface ContractStore {
  store: ObjectStore;
  close(): Promise<void>;
}

const JSON_GZIP: ObjectHeaders = { contentType: 'application/json', contentEncoding: 'gzip', cacheControl: 'public, max-age=30' };
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** Resolve when `fn` rejects (with an instance of `type`, when given); fail the test when it resolves. */
export async function rejects(fn: () => Promise<unknown>, type?: new (...args: never[]) => Error): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (type) assert.instance(err, type);
    return err as Error;
  }
  throw new assert.Assertion({ message: 'expected a rejection', operator: 'rejects', details: 'resolved instead of rejecting', expects: 'rejection', actual: 'resolved', generated: true });
}

/**
 * What a store keeps of earlier writes, as seen through `versionId`:
 * - `none`: no version ids at all (an unversioned S3 bucket);
 * - `current`: the current object has a version id (readable with it); a replaced one is gone;
 * - `all`: every write is a version, readable by its id after later writes (a versioned S3 bucket).
 */
export type VersionKeeping = 'none' | 'current' | 'all';

export function objectStoreContract(name: string, open: () => Promise<ContractStore>, versions: VersionKeeping): void {
  const s = suite<{ c?: ContractStore }>(`ObjectStore contract: ${name}`, {});
  s.before.each(async (ctx) => {
    ctx.c = await open();
  });
  s.after.each(async (ctx) => {
    await ctx.c?.close();
  });

  s('returns undefined for an absent key on get and head', async ({ c }) => {
    assert.is(await c!.store.get('snapshots/d/none.json'), undefined);
    assert.is(await c!.store.head('snapshots/d/none.json'), undefined);
  });

  s('gives back the exact bytes and headers that were put', async ({ c }) => {
    const body = Uint8Array.from([0x1f, 0x8b, 0, 255, 7]);
    await c!.store.put('snapshots/d/a.json', body, JSON_GZIP);
    const got = await c!.store.get('snapshots/d/a.json');
    assert.equal([...got!.body], [...body]);
    assert.equal(got!.headers, JSON_GZIP);
    assert.is(got!.bytes, 5);
    const info = await c!.store.head('snapshots/d/a.json');
    assert.equal(info!.headers, JSON_GZIP);
    assert.is(info!.bytes, 5);
    assert.match(info!.etag, /^"[^"]+"$/, 'a quoted ETag');
    assert.is(info!.etag, got!.etag, 'head and get name the same ETag');
  });

  s('replaces an object on a second put', async ({ c }) => {
    await c!.store.put('k/x.json', bytes('one'), { contentType: 'application/json' });
    await c!.store.put('k/x.json', bytes('two'), { contentType: 'text/plain' });
    const got = await c!.store.get('k/x.json');
    assert.is(text(got?.body), 'two');
    assert.is(got!.headers.contentType, 'text/plain');
  });

  s('issue 14: has no promote (the port dropped it: the builder writes each payload once, under a versioned key)', ({ c }) => {
    assert.not.ok('promote' in c!.store);
  });

  s('delete removes a key and ignores an absent one', async ({ c }) => {
    await c!.store.put('d/a.json', bytes('x'), { contentType: 'application/json' });
    await c!.store.delete('d/a.json');
    await c!.store.delete('d/a.json');
    assert.is(await c!.store.get('d/a.json'), undefined);
  });

  s('list returns the keys under a prefix in lexical order, nested keys included', async ({ c }) => {
    for (const k of ['snapshots/b/x.json', 'snapshots/a/z.json', 'snapshots/a/y.json', 'snapshots/a/sub/w.json', 'state/a/r.json']) {
      await c!.store.put(k, bytes(k), { contentType: 'application/json' });
    }
    assert.equal(await c!.store.list('snapshots/a/'), ['snapshots/a/sub/w.json', 'snapshots/a/y.json', 'snapshots/a/z.json']);
    assert.equal(await c!.store.list('snapshots/a/y'), ['snapshots/a/y.json']);
    assert.equal(await c!.store.list('nothing/'), []);
    assert.equal(await c!.store.list(''), ['snapshots/a/sub/w.json', 'snapshots/a/y.json', 'snapshots/a/z.json', 'snapshots/b/x.json', 'state/a/r.json']);
  });

  s(`versions (${versions}): what put answers, get reads by versionId, and an unknown versionId is undefined`, async ({ c }) => {
    const first = await c!.store.put('v/a.json', bytes('first'), { contentType: 'application/json' });
    const second = await c!.store.put('v/a.json', bytes('second'), { contentType: 'application/json' });
    const current = await c!.store.get('v/a.json');
    assert.is(text(current?.body), 'second');
    assert.is(current!.versionId, second.versionId, 'get names the version put answered');
    assert.is((await c!.store.head('v/a.json'))!.versionId, second.versionId, 'head names it too');
    if (versions === 'none') {
      assert.is(first.versionId, undefined);
      assert.is(second.versionId, undefined);
    } else {
      assert.type(first.versionId, 'string');
      assert.type(second.versionId, 'string');
      assert.is.not(first.versionId, second.versionId);
      assert.is(text((await c!.store.get('v/a.json', { versionId: second.versionId }))?.body), 'second');
      const older = await c!.store.get('v/a.json', { versionId: first.versionId });
      if (versions === 'all') assert.is(text(older?.body), 'first', 'a replaced version stays readable');
      else assert.is(older, undefined, 'a replaced version is gone');
    }
    assert.is(await c!.store.get('v/a.json', { versionId: 'no-such-version' }), undefined);
  });

  s.run();
}
