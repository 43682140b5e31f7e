/**
 * The page as the stack deploys it (issue 14, "the page is not deployed"): the built page uploaded
 * into a private page bucket with a config.json generated from the stack's devices, served at `/` of
 * the distribution (DefaultRootObject) with the Pi's caching, while the API, events and snapshot
 * behaviours keep their paths. One synth with a built-page fixture (`test/support/built-page.ts`)
 * and two devices; the staged assets in the cloud assembly are read back to check what is uploaded.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { META_TTL_S } from '../../../builder/constants.js';
import { buildApp } from '../../../cloud/infra/app.js';
import { PAGE_ASSET_PATH_PATTERNS, PAGE_CONFIG_FILE } from '../../../cloud/infra/page.js';
import { EVENTS_PATH_PATTERN, SNAPSHOT_PATH_PREFIXES } from '../../../cloud/infra/sensor-stack.js';
import { HASHED_ASSET_PATTERN } from '../../../platform/static-files.js';
import { resolvePageConfig } from '../../../web/src/page-config.js';
import { BUILT_PAGE_FILES, writeBuiltPage } from '../../support/built-page.js';
import { distributionBehaviours } from '../../../local/router.js';

const DEVICES = ['pi-kitchen', 'pi-garden'];
process.env.SENSORCTL_DEVICE_IDS = DEVICES.join(',');
const outdir = mkdtempSync(join(tmpdir(), 'sensorctl-cdk-page-'));
const page = writeBuiltPage();
const { stack } = buildApp({ outdir, bundle: false, pageDir: page.dir });
const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, ...r }));
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const dist = ofType('AWS::CloudFront::Distribution')[0].Properties.DistributionConfig;
const behaviour = (pattern: string) => dist.CacheBehaviors.find((b: any) => b.PathPattern === pattern);
const originOf = (b: { TargetOriginId: string }) => dist.Origins.find((o: any) => o.Id === b.TargetOriginId);
const bucketOfOrigin = (o: any) => o.DomainName['Fn::GetAtt']?.[0];
const cachePolicy = (b: any) => json.Resources[b.CachePolicyId.Ref].Properties.CachePolicyConfig;
const cacheControlOf = (b: any) => json.Resources[b.ResponseHeadersPolicyId.Ref].Properties.ResponseHeadersPolicyConfig
  .CustomHeadersConfig.Items.find((h: any) => h.Header === 'Cache-Control');
/** CloudFront path-pattern matching (`*` any run of characters, `?` exactly one). */
const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/[.+^$()[\]{}|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(path);

const [deployment] = ofType('Custom::CDKBucketDeployment');
/** The staged directory of each upload source (`<hash>.zip` in the template ↔ `asset.<hash>/` in the assembly). */
const sourceDirs: string[] = (deployment?.Properties.SourceObjectKeys ?? []).map((key: string) => join(outdir, `asset.${key.replace(/\.zip$/, '')}`));

const upload = suite('page upload');

upload('one BucketDeployment uploads into the page bucket at its root (the paths the Pi serves at /), pruning the previous build', () => {
  assert.is(ofType('Custom::CDKBucketDeployment').length, 1);
  assert.equal(deployment.Properties.DestinationBucketName, { Ref: logicalId(stack.pageBucket) });
  assert.not.equal(logicalId(stack.pageBucket), logicalId(stack.bucket), 'never the versioned snapshot bucket');
  assert.is(deployment.Properties.DestinationBucketKeyPrefix, undefined, 'no prefix: index.html is at the bucket root');
  assert.is(deployment.Properties.Prune, true);
});

upload('uploads the built page without its .gz copies and without the build\'s own config.json', () => {
  assert.is(sourceDirs.length, 2);
  const pageSource = sourceDirs.find((d) => existsSync(join(d, BUILT_PAGE_FILES.html)));
  assert.ok(pageSource, 'the built page is one source');
  assert.equal(readdirSync(pageSource!).sort(), [BUILT_PAGE_FILES.css, BUILT_PAGE_FILES.js, BUILT_PAGE_FILES.html].sort());
});

upload('config.json is generated from the stack: API on the page\'s own origin, the stack\'s devices', () => {
  const configSource = sourceDirs.find((d) => existsSync(join(d, PAGE_CONFIG_FILE)));
  assert.ok(configSource, 'a config.json source');
  assert.equal(readdirSync(configSource!), [PAGE_CONFIG_FILE]);
  const config = JSON.parse(readFileSync(join(configSource!, PAGE_CONFIG_FILE), 'utf8'));
  assert.equal(config, { api: '', devices: DEVICES });
  // What the page makes of it, served from the distribution: same origin, both devices offered.
  const resolved = resolvePageConfig(new URLSearchParams(), config, 'https://d111111abcdef8.cloudfront.net/');
  assert.equal(resolved, { apiBase: 'https://d111111abcdef8.cloudfront.net', devices: DEVICES, title: undefined, problems: [] });
});

upload('the upload Lambda may write only the page bucket, not the snapshot bucket', () => {
  const snapshotBucket = logicalId(stack.bucket);
  const handlerRole = stack.getLogicalId(stack.pageDeployment!.handlerRole.node.defaultChild as never);
  const policies = ofType('AWS::IAM::Policy').filter((p) => p.Properties.Roles.some((r: any) => r.Ref === handlerRole));
  assert.is(policies.length, 1);
  const text = JSON.stringify(policies[0].Properties.PolicyDocument);
  assert.ok(text.includes(logicalId(stack.pageBucket)));
  assert.not.ok(text.includes(snapshotBucket), 'no grant on the snapshot bucket');
});

upload.run();

const cdn = suite('page behind CloudFront');

cdn('/ answers index.html from the page bucket through origin access control, revalidated on every request', () => {
  assert.is(dist.DefaultRootObject, 'index.html');
  const origin = originOf(dist.DefaultCacheBehavior);
  assert.is(bucketOfOrigin(origin), logicalId(stack.pageBucket));
  assert.ok(origin.OriginAccessControlId, 'signed by CloudFront; the bucket is private');
  assert.is(dist.DefaultCacheBehavior.Compress, true);
  assert.equal(dist.DefaultCacheBehavior.AllowedMethods, ['GET', 'HEAD']);
  assert.is(cachePolicy(dist.DefaultCacheBehavior).DefaultTTL, 0, 'a deploy shows at once');
  assert.equal(cacheControlOf(dist.DefaultCacheBehavior), { Header: 'Cache-Control', Value: 'no-cache', Override: true });
});

cdn('hashed assets come from the page bucket and are cached a year (immutable), as the Pi sends them', () => {
  for (const pattern of PAGE_ASSET_PATH_PATTERNS) {
    const b = behaviour(pattern);
    assert.ok(b, pattern);
    assert.is(bucketOfOrigin(originOf(b)), logicalId(stack.pageBucket), pattern);
    assert.is(cachePolicy(b).DefaultTTL, 31_536_000, pattern);
    assert.equal(cacheControlOf(b), { Header: 'Cache-Control', Value: 'public, max-age=31536000, immutable', Override: true });
  }
});

cdn('the asset patterns match exactly the names the Pi caches for a year', () => {
  const names = ['/app.0123456789.js', '/app.abcdef0123.css', '/app.js', '/app.css', '/index.html', '/config.json', '/app.0123456789.js.gz', '/app.012345678.js', '/x/app.0123456789.js'];
  for (const name of names) {
    assert.is(PAGE_ASSET_PATH_PATTERNS.some((p) => matches(p, name)), HASHED_ASSET_PATTERN.test(name) && name.split('/').length === 2, name);
  }
  assert.ok(PAGE_ASSET_PATH_PATTERNS.some((p) => matches(p, `/${BUILT_PAGE_FILES.js}`)) && PAGE_ASSET_PATH_PATTERNS.some((p) => matches(p, `/${BUILT_PAGE_FILES.css}`)));
});

cdn('API, events and snapshot paths keep their behaviours ahead of the page; other snapshot keys stay on the snapshot bucket', () => {
  const order: string[] = dist.CacheBehaviors.map((b: any) => b.PathPattern);
  assert.is(order[0], EVENTS_PATH_PATTERN, 'the events path stays first');
  assert.equal(order.slice(1, 3), ['/samples/refresh*', '/samples/*']);
  for (const prefix of SNAPSHOT_PATH_PREFIXES) {
    const b = behaviour(`${prefix}*`);
    assert.ok(b, prefix);
    assert.is(bucketOfOrigin(originOf(b)), logicalId(stack.bucket), prefix);
    assert.is(cachePolicy(b).DefaultTTL, 60);
    assert.ok(order.indexOf('*.snapshots') >= 0 && order.indexOf(`${prefix}*`) > order.indexOf('*.snapshots'), 'after the window-object pattern');
  }
  // Every path a viewer asks for lands where it should (first matching pattern, else the default).
  const route = (path: string) => {
    const b = dist.CacheBehaviors.find((x: any) => matches(x.PathPattern, path)) ?? dist.DefaultCacheBehavior;
    const o = originOf(b);
    return bucketOfOrigin(o) === logicalId(stack.pageBucket) ? 'page' : bucketOfOrigin(o) === logicalId(stack.bucket) ? 'snapshots' : 'api';
  };
  assert.is(route('/index.html'), 'page');
  assert.is(route('/config.json'), 'page');
  assert.is(route(`/${BUILT_PAGE_FILES.js}`), 'page');
  assert.is(route('/samples/latest'), 'api');
  assert.is(route('/snapshots/pi-kitchen/latest_1d.snapshots'), 'snapshots');
  assert.is(route('/fallback/snapshots/pi-kitchen/latest_1h.snapshots'), 'snapshots');
  assert.is(route('/snapshots/pi-kitchen/rollup-state.json'), 'snapshots');
  assert.is(route('/fallback/snapshots/pi-kitchen/latest_1h_20.meta.json'), 'snapshots', 'an earlier layout\'s key still reaches the bucket (60 s)');
  const ttlOfPath = (path: string) => cachePolicy(dist.CacheBehaviors.find((x: any) => matches(x.PathPattern, path))).DefaultTTL;
  assert.is(ttlOfPath('/snapshots/pi-kitchen/latest_1d.snapshots'), META_TTL_S, 'a window object carries its metas: short TTL');
  assert.is(ttlOfPath('/fallback/snapshots/pi-kitchen/latest_1h_20.meta.json'), 60);
});

cdn('the local cloud\'s router (local/router.ts) has the distribution\'s behaviours, in its order, with the same origins and page Cache-Control', () => {
  const kindOf = (b: any): string => {
    const o = originOf(b);
    if (bucketOfOrigin(o) === logicalId(stack.pageBucket)) return 'page';
    if (bucketOfOrigin(o) === logicalId(stack.bucket)) return 'snapshots';
    return o.DomainName['Fn::Select']?.[1]?.['Fn::Split']?.[1]?.['Fn::GetAtt']?.[1] === 'FunctionUrl' ? 'stream' : 'api';
  };
  const fromStack = [...dist.CacheBehaviors, { ...dist.DefaultCacheBehavior, PathPattern: '*' }].map((b: any) => ({
    pathPattern: b.PathPattern, origin: kindOf(b), ...(kindOf(b) === 'page' ? { cacheControl: cacheControlOf(b).Value } : {}),
  }));
  assert.equal(distributionBehaviours(), fromStack);
});

cdn('the page bucket is private: blocked public access, TLS only, reads only by CloudFront', () => {
  const bucket = json.Resources[logicalId(stack.pageBucket)].Properties;
  assert.equal(bucket.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  const policy = ofType('AWS::S3::BucketPolicy').find((p) => p.Properties.Bucket.Ref === logicalId(stack.pageBucket));
  const statements = policy!.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
  assert.ok(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'));
  for (const s of statements.filter((x) => x.Effect === 'Allow')) assert.equal(s.Principal, { Service: 'cloudfront.amazonaws.com' });
});

cdn('outputs name the page URL and its bucket', () => {
  const outputs = Template.fromStack(stack).findOutputs('*');
  assert.ok(outputs.PageUrl && outputs.PageBucketName);
});

cdn.run();

process.on('exit', () => {
  rmSync(outdir, { recursive: true, force: true });
  page.remove();
});
