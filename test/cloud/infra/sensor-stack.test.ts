/**
 * Assertions on the synthesised CloudFormation template (aws-cdk-lib/assertions). One synth for the
 * whole file (it takes seconds); placeholder Lambda code, so the test needs no Lambda entry files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOUD_SCHEDULED_WINDOWS, WINDOW_NAMES, META_TTL_S, windowObjectKey } from '../../../builder/constants.js';
import { buildApp } from '../../../cloud/infra/app.js';
import { METRIC_CONSECUTIVE_STALE_BUILDS, METRICS_NAMESPACE } from '../../../aws/metric-names.js';
import { API_THROTTLE, BUILDER_RESERVED_CONCURRENCY, EVENTS_PATH_PATTERN, TEMP_OBJECT_TAG } from '../../../cloud/infra/sensor-stack.js';
import { DEVICE_ID_VARIABLE } from '../../../cloud/infra/pi-policy.js';
import { createJobsTableInput, JOBS_TABLE_DEFINITION } from '../../../aws/dynamodb-jobs-table.js';

const outdir = mkdtempSync(join(tmpdir(), 'sensorctl-cdk-'));
const { stack } = buildApp({ outdir, bundle: false });
const template = Template.fromStack(stack);
const json = template.toJSON() as { Resources: Record<string, { Type: string; Properties: any }> };
rmSync(outdir, { recursive: true, force: true });

const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, ...r }));
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

const tables = suite('SensorStack DynamoDB tables');

tables('samples table: on-demand, deviceId (S) partition key, tsMs (N) sort key, point-in-time recovery', () => {
  template.hasResourceProperties('AWS::DynamoDB::Table', {
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'deviceId', KeyType: 'HASH' }, { AttributeName: 'tsMs', KeyType: 'RANGE' }],
    AttributeDefinitions: Match.arrayWith([{ AttributeName: 'deviceId', AttributeType: 'S' }, { AttributeName: 'tsMs', AttributeType: 'N' }]),
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  });
});

tables('jobs table expires items through its TTL attribute', () => {
  template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAtS', Enabled: true } });
});

tables('issue 14: the stack\'s jobs table is JOBS_TABLE_DEFINITION (what `sensorctl table create --jobs-table` makes): keys, attributes, billing, TTL', () => {
  const p = json.Resources[logicalId(stack.jobsTable)].Properties;
  assert.equal(
    { KeySchema: p.KeySchema, AttributeDefinitions: p.AttributeDefinitions, BillingMode: p.BillingMode, ttl: p.TimeToLiveSpecification },
    {
      KeySchema: JOBS_TABLE_DEFINITION.KeySchema,
      AttributeDefinitions: JOBS_TABLE_DEFINITION.AttributeDefinitions,
      BillingMode: JOBS_TABLE_DEFINITION.BillingMode,
      ttl: { AttributeName: JOBS_TABLE_DEFINITION.TimeToLiveAttribute, Enabled: true },
    },
  );
  assert.equal(createJobsTableInput('t').KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
});

tables.run();

const bucket = suite('SensorStack snapshot bucket');

bucket('is versioned, encrypted, blocks all public access and expires noncurrent versions and tagged temp keys', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    VersioningConfiguration: { Status: 'Enabled' },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
        Match.objectLike({ TagFilters: [{ Key: TEMP_OBJECT_TAG.key, Value: TEMP_OBJECT_TAG.value }], ExpirationInDays: 1 }),
      ]),
    },
  });
});

bucket('its policy (and the page bucket\'s) denies every request not made over TLS and grants reads only to CloudFront', () => {
  const policies = ofType('AWS::S3::BucketPolicy');
  assert.equal(policies.map((p) => p.Properties.Bucket.Ref).sort(), [logicalId(stack.bucket), logicalId(stack.pageBucket)].sort());
  for (const policy of policies) {
    const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
    assert.ok(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'));
    for (const s of statements.filter((x) => x.Effect === 'Allow')) {
      assert.equal(s.Principal, { Service: 'cloudfront.amazonaws.com' }, 'no public or anonymous principal');
    }
  }
});

bucket.run();

const cdn = suite('SensorStack CloudFront');

cdn('uses origin access control and one compressed behaviour for window objects, on the short meta TTL, before the snapshot catch-alls', () => {
  const oacs = ofType('AWS::CloudFront::OriginAccessControl').map((o) => o.Properties.OriginAccessControlConfig.OriginAccessControlOriginType).sort();
  assert.equal(oacs, ['lambda', 's3', 's3'], 'S3 snapshots, the page bucket and the streaming function URL, all behind origin access control');
  const dist = ofType('AWS::CloudFront::Distribution')[0].Properties.DistributionConfig;
  const policies = Object.fromEntries(ofType('AWS::CloudFront::CachePolicy').map((p) => [p.id, p.Properties.CachePolicyConfig]));
  const ttlOf = (pattern: string) => {
    const b = dist.CacheBehaviors.find((x: any) => x.PathPattern === pattern);
    assert.ok(b, `behaviour ${pattern}`);
    assert.is(b.Compress, true);
    return policies[b.CachePolicyId.Ref].DefaultTTL;
  };
  assert.is(ttlOf('*.snapshots'), META_TTL_S);
  const order: string[] = dist.CacheBehaviors.map((b: any) => b.PathPattern);
  assert.equal(order.filter((p) => p.includes('latest_') || p.includes('.json')), [], 'no per-window or meta pattern of the earlier layout');
  for (const catchAll of ['/snapshots/*', '/fallback/*']) {
    assert.ok(order.indexOf('*.snapshots') < order.indexOf(catchAll), `window objects matched before ${catchAll}`);
  }
});

cdn('routes /samples/* to the HTTP API and never caches refresh routes', () => {
  const dist = ofType('AWS::CloudFront::Distribution')[0].Properties.DistributionConfig;
  const refresh = dist.CacheBehaviors.find((b: any) => b.PathPattern === '/samples/refresh*');
  const samples = dist.CacheBehaviors.find((b: any) => b.PathPattern === '/samples/*');
  assert.is(refresh.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'managed CachingDisabled policy');
  assert.is(refresh.TargetOriginId, samples.TargetOriginId);
  const apiOrigin = dist.Origins.find((o: any) => o.Id === samples.TargetOriginId);
  assert.ok(apiOrigin.CustomOriginConfig, 'the API is a custom (HTTP) origin');
  assert.ok(dist.CacheBehaviors.indexOf(refresh) < dist.CacheBehaviors.indexOf(samples));
  assert.equal(refresh.AllowedMethods.sort(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
});

cdn('without a built page (tests do not build web/dist) the stack still synthesizes: no upload, but / is index.html of the page bucket', () => {
  template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  assert.is(stack.pageDeployment, undefined);
  const dist = ofType('AWS::CloudFront::Distribution')[0].Properties.DistributionConfig;
  assert.is(dist.DefaultRootObject, 'index.html');
  const origin = dist.Origins.find((o: any) => o.Id === dist.DefaultCacheBehavior.TargetOriginId);
  assert.equal(origin.DomainName, { 'Fn::GetAtt': [logicalId(stack.pageBucket), 'RegionalDomainName'] });
});

cdn.run();

const compute = suite('SensorStack Lambdas, schedules and queue');

compute('the builder, the API and its streaming twin run on Node.js 24 (the newest Lambda runtime); the builder has reserved concurrency', () => {
  const fns = ofType('AWS::Lambda::Function').filter((f) => f.Properties.Environment);
  assert.is(fns.length, 3);
  for (const f of fns) assert.is(f.Properties.Runtime, 'nodejs24.x');
  // Sized for the default 1,000 devices (issue 14): ceil(3 groups × 20 shards × 15 s / 60 s).
  assert.is(json.Resources[logicalId(stack.builder)].Properties.ReservedConcurrentExecutions, 15);
  assert.is(BUILDER_RESERVED_CONCURRENCY, 15);
});

compute('the builder\'s reserved concurrency follows the stated fleet size (expectedDevices)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensorctl-cdk-'));
  process.env.SENSORCTL_EXPECTED_DEVICES = '3000';
  try {
    const big = buildApp({ outdir: dir, bundle: false }).stack;
    const resources = Template.fromStack(big).toJSON().Resources as Record<string, { Properties: { ReservedConcurrentExecutions?: number } }>;
    assert.is(resources[big.getLogicalId(big.builder.node.defaultChild as never)].Properties.ReservedConcurrentExecutions, 45);
    assert.is(big.builderConcurrency, 45);
  } finally {
    delete process.env.SENSORCTL_EXPECTED_DEVICES;
    rmSync(dir, { recursive: true, force: true });
  }
});

compute('schedules name every scheduled window exactly once, every 5–15 min; no rule builds an on-read window (1h: rendered by the API, issue 14)', () => {
  const builderId = logicalId(stack.builder);
  const seen: string[] = [];
  for (const rule of ofType('AWS::Events::Rule')) {
    const target = rule.Properties.Targets[0];
    if (target.Arn['Fn::GetAtt']?.[0] !== builderId) continue;
    const input = JSON.parse(target.Input) as { source: string; windows: string[] };
    const minutes = Number(/^rate\((\d+) minutes?\)$/.exec(rule.Properties.ScheduleExpression)![1]);
    for (const w of input.windows) {
      seen.push(w);
      assert.ok(minutes >= 5 && minutes <= 15, `${w}: ${minutes} min`);
    }
  }
  assert.equal(seen.sort(), ['10d', '10h', '12m', '1d', '3m']);
  assert.equal(seen.sort(), [...CLOUD_SCHEDULED_WINDOWS].sort());
});

compute('the builder consumes the refresh queue, which has a dead-letter queue', () => {
  const queueId = logicalId(stack.refreshQueue);
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    FunctionName: { Ref: logicalId(stack.builder) },
  });
  template.hasResourceProperties('AWS::SQS::Queue', {
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.deadLetterQueue), 'Arn'] }, maxReceiveCount: 3 },
  });
});

compute('the HTTP API invokes the live alias (where provisioned concurrency would live), which is kept warm; its stage throttles and logs access', () => {
  template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
  const aliasId = stack.getLogicalId(stack.apiAlias.node.defaultChild as never);
  const [integration] = ofType('AWS::ApiGatewayV2::Integration');
  assert.equal(integration.Properties.IntegrationUri, { Ref: aliasId }, 'the integration calls the alias, not the unqualified function');
  const warm = ofType('AWS::Events::Rule').filter((r) => r.Properties.Targets[0].Arn.Ref === aliasId);
  assert.is(warm.length, 1);
  assert.equal(JSON.parse(warm[0].Properties.Targets[0].Input), { source: 'sensorctl.keep-warm' });
  const [stage] = ofType('AWS::ApiGatewayV2::Stage');
  assert.is(stage.Properties.StageName, '$default');
  assert.equal(stage.Properties.DefaultRouteSettings, { ThrottlingBurstLimit: API_THROTTLE.burstLimit, ThrottlingRateLimit: API_THROTTLE.rateLimit });
  assert.ok(stage.Properties.AccessLogSettings?.DestinationArn, 'access log destination');
});

compute('every Lambda gets the table, bucket, queue and CORS origins it needs, and no device list (the fleet is discovered)', () => {
  const fns = ofType('AWS::Lambda::Function').filter((f) => f.Properties.Environment);
  assert.is(fns.length, 3, 'builder, API and the streaming API');
  for (const f of fns) {
    const env = f.Properties.Environment.Variables;
    assert.is(env.DEVICE_IDS, undefined);
    assert.is(env.CORS_ORIGINS, '*');
    for (const key of ['SAMPLES_TABLE', 'JOBS_TABLE', 'SNAPSHOT_BUCKET', 'REFRESH_QUEUE_URL']) assert.ok(env[key], `${f.id} ${key}`);
  }
});

compute('the samples table has the keys-only device index the builder lists the fleet from, and the builder may query it', () => {
  const [table] = ofType('AWS::DynamoDB::Table').filter((t) => t.Properties.KeySchema.some((k: { AttributeName: string }) => k.AttributeName === 'tsMs'));
  assert.equal(table.Properties.GlobalSecondaryIndexes, [{
    IndexName: 'devices',
    KeySchema: [{ AttributeName: 'entity', KeyType: 'HASH' }, { AttributeName: 'deviceId', KeyType: 'RANGE' }],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  }]);
  const builderRole = stack.getLogicalId(stack.builder.role!.node.defaultChild as never);
  const statements = ofType('AWS::IAM::Policy').filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === builderRole)).flatMap((p) => p.Properties.PolicyDocument.Statement);
  const query = statements.filter((st: { Action: string | string[] }) => [st.Action].flat().includes('dynamodb:Query'));
  assert.ok(JSON.stringify(query).includes('/index/devices'), 'dynamodb:Query on the device index');
  assert.not.ok(JSON.stringify(statements).includes('/index/*'), 'no index wildcard');
  const onSamples = statements.filter((st: unknown) => JSON.stringify(st).includes(stack.getLogicalId(stack.samplesTable.node.defaultChild as never)));
  assert.equal(onSamples.map((st: { Action: unknown }) => st.Action), [['dynamodb:GetItem', 'dynamodb:Query'], 'dynamodb:Query'], 'GetItem and Query only: no Scan of the samples');
});

compute('scheduled runs fan out on a shard queue of their own that only the builder sends to and consumes, one message per invocation', () => {
  const queueId = stack.getLogicalId(stack.buildShardQueue.node.defaultChild as never);
  const builderId = stack.getLogicalId(stack.builder.node.defaultChild as never);
  const builder = ofType('AWS::Lambda::Function').find((f) => f.id === builderId)!;
  assert.equal(builder.Properties.Environment.Variables.SHARD_QUEUE_URL, { Ref: queueId });
  const mappings = ofType('AWS::Lambda::EventSourceMapping').filter((m) => JSON.stringify(m.Properties.EventSourceArn).includes(queueId));
  assert.equal(mappings.map((m) => [m.Properties.FunctionName.Ref, m.Properties.BatchSize]), [[builderId, 1]]);
  const senders = ofType('AWS::IAM::Policy').filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('sqs:SendMessage') && JSON.stringify(p.Properties.PolicyDocument).includes(queueId));
  assert.equal(senders.map((p) => p.Properties.Roles[0].Ref), [stack.getLogicalId(stack.builder.role!.node.defaultChild as never)]);
  assert.ok(ofType('AWS::SQS::Queue').find((q) => q.id === queueId)!.Properties.RedrivePolicy, 'dead-letter queue');
});

compute('live SSE streams from a function URL that only CloudFront can call (AWS_IAM + origin access control), on the events path of the stack\'s own domain', () => {
  template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
  const dist = ofType('AWS::CloudFront::Distribution')[0].Properties.DistributionConfig;
  const paths = dist.CacheBehaviors.map((b: any) => b.PathPattern);
  const events = dist.CacheBehaviors.find((b: any) => b.PathPattern === EVENTS_PATH_PATTERN);
  assert.ok(events, 'an events behaviour');
  assert.ok(paths.indexOf(EVENTS_PATH_PATTERN) < paths.indexOf('/samples/refresh*'), 'matched before the refresh behaviour');
  assert.is(events.Compress, false, 'a compressed stream would be buffered');
  const origin = dist.Origins.find((o: any) => o.Id === events.TargetOriginId);
  assert.ok(origin.OriginAccessControlId, 'signed by CloudFront');
  const permissions = ofType('AWS::Lambda::Permission').filter((p) => p.Properties.Action === 'lambda:InvokeFunctionUrl');
  assert.is(permissions.length, 1);
  assert.is(permissions[0].Properties.Principal, 'cloudfront.amazonaws.com');
  assert.not.ok(ofType('AWS::Lambda::Permission').some((p) => p.Properties.Principal === '*'), 'nobody else may invoke it');
});

compute('the builder may get, put and delete snapshot objects, the APIs only get them: no version reads, no tagging (one put per window object)', () => {
  const statements = ofType('AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Action: string | string[] }>);
  const actionsOf = (sid: string) => statements.filter((x) => x.Sid === sid).map((x) => [x.Action].flat().sort());
  assert.equal(actionsOf('BuildSnapshots'), [['s3:DeleteObject', 's3:GetObject', 's3:PutObject']]);
  const reads = actionsOf('ReadSnapshots');
  assert.ok(reads.length >= 1, 'the API functions read snapshots');
  for (const actions of reads) assert.equal(actions, ['s3:GetObject']);
});

compute.run();

// ---- The Pi's policy, evaluated: IAM wildcard matching on the synthesised resources ----

interface Statement { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string | string[]>> }
const BUCKET = 'arn:aws:s3:::BUCKET';
const TABLE = 'arn:aws:dynamodb:REGION:ACCOUNT:table/SAMPLES';
/** Resolve the template's intrinsic functions for our two resources into fixed ARNs. */
function resolveArn(r: any): string {
  if (typeof r === 'string') return r;
  if (r['Fn::GetAtt']?.[0] === logicalId(stack.bucket)) return BUCKET;
  if (r['Fn::GetAtt']?.[0] === logicalId(stack.samplesTable)) return TABLE;
  if (r['Fn::Join']) return r['Fn::Join'][1].map(resolveArn).join(r['Fn::Join'][0]);
  throw new Error(`unresolved ${JSON.stringify(r)}`);
}
const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`).test(value);
const piStatements = (): Statement[] => ofType('AWS::IAM::ManagedPolicy')[0].Properties.PolicyDocument.Statement;

/** A request of the Pi whose certificate CN is `device`: the keys it would write, the prefix it lists. */
interface PiRequest { device: string; leadingKeys?: string[]; prefix?: string }

/** IAM's evaluation for our statements: policy variable substitution, the condition operators they use. */
function piAllows(action: string, resource: string, request: PiRequest): boolean {
  const sub = (text: string) => text.split(DEVICE_ID_VARIABLE).join(request.device);
  const conditionHolds = (condition: Statement['Condition']) => Object.entries(condition ?? {}).every(([operator, keys]) => Object.entries(keys).every(([key, wanted]) => {
    const allowed = ([] as string[]).concat(wanted).map(sub);
    if (operator === 'ForAllValues:StringEquals' && key === 'dynamodb:LeadingKeys') return (request.leadingKeys ?? []).every((k) => allowed.includes(k));
    if (operator === 'StringLike' && key === 's3:prefix') return request.prefix !== undefined && allowed.some((a) => glob(a, request.prefix!));
    throw new Error(`condition ${operator} ${key} is not evaluated by this test`);
  }));
  return piStatements().some((s) => s.Effect === 'Allow' && conditionHolds(s.Condition) &&
    ([] as string[]).concat(s.Action).some((a) => glob(a, action)) &&
    ([] as unknown[]).concat(s.Resource).map(resolveArn).map(sub).some((r) => glob(r, resource)));
}

const pi = suite('SensorStack Pi identity and policy');
const obj = (key: string) => `${BUCKET}/${key}`;
const kitchen = { device: 'pi-kitchen' };

pi('a Pi writes its own samples (partition key = its certificate CN) and nothing else on DynamoDB', () => {
  assert.ok(piAllows('dynamodb:BatchWriteItem', TABLE, { ...kitchen, leadingKeys: ['pi-kitchen'] }));
  assert.ok(piAllows('dynamodb:PutItem', TABLE, { ...kitchen, leadingKeys: ['pi-kitchen'] }));
  assert.not.ok(piAllows('dynamodb:PutItem', TABLE, { ...kitchen, leadingKeys: ['pi-garden'] }), 'another device\'s catalogue item');
  assert.not.ok(piAllows('dynamodb:BatchWriteItem', TABLE, { ...kitchen, leadingKeys: ['pi-kitchen', 'pi-garden'] }), 'a batch touching another device');
  for (const a of ['dynamodb:Query', 'dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']) assert.not.ok(piAllows(a, TABLE, { ...kitchen, leadingKeys: ['pi-kitchen'] }), a);
});

pi('a Pi writes only its own fallback/snapshots/<id>/ keys: not canonical keys, not another device\'s fallback; it tags nothing', () => {
  assert.ok(piAllows('s3:PutObject', obj('fallback/snapshots/pi-kitchen/latest_1h.snapshots'), kitchen));
  assert.ok(piAllows('s3:GetObject', obj('fallback/snapshots/pi-kitchen/latest_1h.snapshots'), kitchen), 'its own rollup state lives in its fallback window objects');
  assert.ok(piAllows('s3:DeleteObject', obj('fallback/snapshots/pi-kitchen/latest_1h_20.meta.json'), kitchen), 'it deletes its earlier layout\'s keys');
  assert.ok(piAllows('s3:ListBucket', BUCKET, { ...kitchen, prefix: 'fallback/snapshots/pi-kitchen/' }));
  assert.not.ok(piAllows('s3:ListBucket', BUCKET, { ...kitchen, prefix: 'fallback/snapshots/pi-garden/' }));
  assert.not.ok(piAllows('s3:PutObjectTagging', obj('fallback/snapshots/pi-kitchen/latest_1h.snapshots'), kitchen), 'no staged keys to tag any more');
  for (const key of ['fallback/snapshots/pi-garden/latest_1h.snapshots', 'snapshots/pi-kitchen/latest_1h.snapshots', 'snapshots/pi-kitchen/latest_1h_20.meta.json', 'latest_1h.snapshots', 'fallbackx/a', 'x/fallback/a']) {
    for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutBucketPolicy', 's3:DeleteObjectVersion', 's3:PutObjectTagging']) assert.not.ok(piAllows(action, obj(key), kitchen), `${action} ${key}`);
  }
  for (const s of piStatements()) assert.not.ok(([] as string[]).concat(s.Action).some((a) => a.includes('*')), `no wildcard actions: ${s.Action}`);
});

pi('a Pi reads its own canonical window objects but no other canonical key and no other device\'s', () => {
  for (const w of WINDOW_NAMES) assert.ok(piAllows('s3:GetObject', obj(`snapshots/pi-kitchen/${windowObjectKey(w)}`), kitchen), w);
  assert.ok(piAllows('s3:GetObject', obj('snapshots/pi-kitchen/latest_1h.snapshots'), kitchen));
  assert.not.ok(piAllows('s3:GetObject', obj('snapshots/pi-garden/latest_1h.snapshots'), kitchen), 'another device\'s window object');
  assert.not.ok(piAllows('s3:GetObject', obj('snapshots/pi-kitchen/latest_1h_20.meta.json'), kitchen), 'the earlier layout\'s meta');
  assert.not.ok(piAllows('s3:GetObject', obj('snapshots/pi-kitchen/latest_12m_500.json'), kitchen));
  assert.not.ok(piAllows('s3:GetObject', obj('state/pi-kitchen/run-health.json'), kitchen));
});

pi('per-device identities: no IAM user or long-lived key; the policy is on a role only IAM Roles Anywhere (this stack\'s trust anchor) may assume, for 1-hour sessions', () => {
  template.resourceCountIs('AWS::IAM::User', 0);
  template.resourceCountIs('AWS::IAM::AccessKey', 0);
  const role = json.Resources[logicalId(stack.piRole)].Properties;
  assert.equal(role.ManagedPolicyArns, [{ Ref: logicalId(stack.piPolicy) }]);
  assert.is(role.MaxSessionDuration, 3600);
  const trust = role.AssumeRolePolicyDocument.Statement as Array<Record<string, any>>;
  const actions = trust.flatMap((s) => ([] as string[]).concat(s.Action)).sort();
  assert.equal(actions, ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']);
  for (const s of trust) {
    assert.equal(s.Principal, { Service: 'rolesanywhere.amazonaws.com' });
    assert.equal(s.Condition.ArnEquals['aws:SourceArn'], { 'Fn::GetAtt': [stack.getLogicalId(stack.piTrustAnchor), 'TrustAnchorArn'] });
  }
  template.hasResourceProperties('AWS::RolesAnywhere::Profile', { RoleArns: [{ 'Fn::GetAtt': [logicalId(stack.piRole), 'Arn'] }], DurationSeconds: 3600 });
  template.hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', { Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: { Ref: 'PiCaCertificatePem' } } } });
  for (const output of ['PiTrustAnchorArn', 'PiProfileArn', 'PiRoleArn']) template.hasOutput(output, {});
});

pi('the builder may not delete object versions (only the lifecycle rules remove old versions)', () => {
  const policies = ofType('AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const actions = policies.flatMap((s) => ([] as string[]).concat(s.Action));
  assert.not.ok(actions.some((a) => glob(a, 's3:DeleteObjectVersion')), actions.filter((a) => a.startsWith('s3:')).join(' '));
  assert.not.ok(actions.some((a) => a.startsWith('s3:') && a.includes('*')), 'no wildcard S3 actions');
});

pi.run();

const monitoring = suite('SensorStack monitoring');

monitoring('alarms on Lambda errors, p95 duration, DynamoDB throttles and latency, stale builds and dead letters', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm').map((a) => a.Properties);
  const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name || a.Metrics?.some((m: any) => m.MetricStat?.Metric?.MetricName === name));
  assert.is(byMetric('Errors').length, 2);
  assert.equal(byMetric('Duration').map((a) => a.ExtendedStatistic), ['p95', 'p95']);
  assert.is(byMetric('WriteThrottleEvents').length, 2);
  assert.equal(byMetric('SuccessfulRequestLatency').map((a) => a.ExtendedStatistic), ['p95', 'p95']);
  const stale = byMetric(METRIC_CONSECUTIVE_STALE_BUILDS);
  assert.is(stale.length, 1);
  assert.is(stale[0].Namespace, METRICS_NAMESPACE);
  assert.is(stale[0].Threshold, 3);
  assert.is(byMetric('ApproximateNumberOfMessagesVisible').length, 1);
  for (const a of alarms) assert.is(a.AlarmActions.length, 1, 'every alarm notifies the topic');
});

monitoring('has a dashboard with the alarm panels', () => {
  const [dash] = ofType('AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dash.Properties.DashboardBody);
  for (const title of ['Lambda errors', 'Lambda p95 duration', 'DynamoDB throttles', 'DynamoDB latency', 'Consecutive stale builds per window', 'Snapshot age per window']) assert.ok(body.includes(title), title);
});

monitoring.run();
