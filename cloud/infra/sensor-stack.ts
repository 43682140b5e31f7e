/**
 * The cloud side as one CDK stack: samples and jobs tables, the snapshot bucket and the page bucket
 * behind one CloudFront distribution (with the HTTP API as another origin), the builder Lambda on EventBridge schedules and the SQS
 * refresh queue, the API Lambda behind an HTTP API, the Pi's least-privilege identity, and
 * monitoring. Names are left to CloudFormation; the outputs say what they became.
 */
import { STAGED_OBJECT_TAGGING } from '../../aws/s3-object-store.js';
import { CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rolesanywhere from 'aws-cdk-lib/aws-rolesanywhere';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { METRICS_NAMESPACE } from '../../aws/metric-names.js';
import { DEVICE_INDEX_NAME, ENTITY_ATTRIBUTE, PARTITION_KEY } from '../../aws/dynamodb-item.js';
import { JOBS_PARTITION_KEY, JOBS_TTL_ATTRIBUTE } from '../../aws/dynamodb-jobs-table.js';
import { Monitoring } from './monitoring.js';
import { deployedPageConfig, PAGE_ASSET_PATH_PATTERNS, PAGE_CACHE_CONTROL, PAGE_CONFIG_FILE, PAGE_ROOT_OBJECT, PAGE_UPLOAD_EXCLUDES } from './page.js';
import { NONCURRENT_VERSION_DAYS } from './bucket-lifecycle.js';
import { piPolicyStatements } from './pi-policy.js';
import { builderReservedConcurrency, DEFAULT_EXPECTED_DEVICES, scheduleGroups, snapshotBehaviours, type ScheduledBuildEvent } from './schedules.js';


/**
 * Object tag earlier releases' builders put on their staged `*.tmp-*` keys (S3 lifecycle filters
 * match prefixes and tags, not suffixes): tagged leftovers still expire after a day. Builds of this
 * release write one window object per put and stage nothing.
 */
export const TEMP_OBJECT_TAG = (() => {
  const [key, value] = STAGED_OBJECT_TAGGING.split('=');
  return { key, value };
})();

/** Runtime of every Lambda: the newest Node.js Lambda offers (the bundles are built for node22 and up). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
/**
 * The builder's reserved concurrency for the default fleet (`DEFAULT_EXPECTED_DEVICES`, formula in
 * `builderReservedConcurrency`): schedules and refresh jobs never starve the account's pool, nor run away.
 */
export const BUILDER_RESERVED_CONCURRENCY = builderReservedConcurrency(DEFAULT_EXPECTED_DEVICES);
/** HTTP API stage throttling (requests per second, burst): a refresh storm is refused with 429, not billed. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;
/** CloudFront path of live refresh events (`api/jobs-view.ts` eventsUrlOf: /samples/refresh/<id>/events). */
export const EVENTS_PATH_PATTERN = '/samples/refresh/*/events';

/** Key prefixes of snapshot objects (canonical and the Pi's fallback) that CloudFront serves from the snapshot bucket. */
export const SNAPSHOT_PATH_PREFIXES = ['/snapshots/', '/fallback/'] as const;

/** The event the keep-warm schedule sends to the API Lambda; the handler should answer it at once. */
export const KEEP_WARM_EVENT = { source: 'sensorctl.keep-warm' } as const;

export interface SensorStackProps extends StackProps {
  builderCode: lambda.Code;
  builderHandler: string;
  apiCode: lambda.Code;
  apiHandler: string;
  /** Handler of the API's streaming twin behind a function URL (live SSE); omitted: no streaming function. */
  apiStreamHandler?: string;
  /**
   * Devices the deployed page offers (its config.json). The builder does not use it: it discovers the
   * fleet from the samples table's device index, and the API lists the devices with snapshots.
   */
  deviceIds: string[];
  /**
   * Devices the fleet is expected to grow to (default `DEFAULT_EXPECTED_DEVICES`, 1,000): sizes the
   * builder's reserved concurrency (`builderReservedConcurrency`: 15 for 1,000 devices).
   */
  expectedDevices?: number;
  /** Days a noncurrent snapshot version is kept (to put back a window object by hand). Default `NONCURRENT_VERSION_DAYS` (1). */
  noncurrentVersionDays?: number;
  /** Provisioned concurrency for the API Lambda; 0 (default) uses a keep-warm schedule instead. */
  apiProvisionedConcurrency?: number;
  /** Browser origins allowed by the HTTP API's CORS. Default `*`. */
  corsOrigins?: string[];
  alarmEmail?: string;
  /**
   * The built page to upload (`web/dist` of `scripts/build-web.mjs`: index.html and the hashed
   * `app.<hash>.js`/`.css`) into the page bucket, with a config.json generated from `deviceIds`;
   * omitted: no upload (the page bucket and its behaviours still exist, empty).
   */
  pageDir?: string;
}

export class SensorStack extends Stack {
  readonly samplesTable: dynamodb.Table;
  readonly jobsTable: dynamodb.Table;
  readonly bucket: s3.Bucket;
  /** The dashboard page (private; CloudFront reads it through origin access control). */
  readonly pageBucket: s3.Bucket;
  /** The upload of `pageDir` into `pageBucket`, when a page was given. */
  readonly pageDeployment?: s3deploy.BucketDeployment;
  /** The upload's Lambda (CDK's singleton BucketDeployment handler), when there is an upload. */
  readonly pageDeploymentHandler?: IConstruct;
  readonly refreshQueue: sqs.Queue;
  /** One message per shard of devices when a scheduled run fans out; consumed by the builder. */
  readonly buildShardQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly builder: lambda.Function;
  /** The builder's reserved concurrency, derived from `expectedDevices`. */
  readonly builderConcurrency: number;
  readonly api: lambda.Function;
  readonly httpApi: apigw.HttpApi;
  readonly distribution: cloudfront.Distribution;
  readonly piPolicy: iam.ManagedPolicy;
  /** The role every Pi assumes through IAM Roles Anywhere with its own certificate. */
  readonly piRole: iam.Role;
  readonly piTrustAnchor: rolesanywhere.CfnTrustAnchor;
  readonly piProfile: rolesanywhere.CfnProfile;
  /** The live alias the HTTP API invokes (provisioned concurrency, when set, lives on it). */
  readonly apiAlias: lambda.Alias;
  /** The streaming function behind CloudFront (origin access control), when a stream handler is given. */
  streamFunction?: lambda.Function;
  private streamUrl?: lambda.FunctionUrl;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SensorStackProps) {
    super(scope, id, props);

    this.samplesTable = new dynamodb.Table(this, 'SamplesTable', {
      partitionKey: { name: 'deviceId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'tsMs', type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Fleet discovery (aws/dynamodb-devices.ts): only catalogue items carry `entity`, so this index
    // holds one keys-only entry per device and the builder lists the fleet with one small Query.
    this.samplesTable.addGlobalSecondaryIndex({
      indexName: DEVICE_INDEX_NAME,
      partitionKey: { name: ENTITY_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      sortKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.jobsTable = new dynamodb.Table(this, 'JobsTable', {
      partitionKey: { name: JOBS_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: JOBS_TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.bucket = new s3.Bucket(this, 'SnapshotBucket', {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? NONCURRENT_VERSION_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'ExpireStrayTempKeys', tagFilters: { [TEMP_OBJECT_TAG.key]: TEMP_OBJECT_TAG.value }, expiration: Duration.days(1) },
        { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
    });

    // A bucket of its own: the upload's Lambda gets read/write/delete on every object of its
    // destination bucket, which must never be the versioned snapshot bucket.
    this.pageBucket = new s3.Bucket(this, 'PageBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'RefreshDeadLetterQueue', { retentionPeriod: Duration.days(14), enforceSSL: true });
    const builderTimeout = Duration.minutes(2);
    this.refreshQueue = new sqs.Queue(this, 'RefreshQueue', {
      visibilityTimeout: Duration.seconds(builderTimeout.toSeconds() * 6), // AWS: ≥ 6 × function timeout for event sources
      retentionPeriod: Duration.hours(1),
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
    });

    const environment = {
      SAMPLES_TABLE: this.samplesTable.tableName,
      JOBS_TABLE: this.jobsTable.tableName,
      SNAPSHOT_BUCKET: this.bucket.bucketName,
      REFRESH_QUEUE_URL: this.refreshQueue.queueUrl,
      CORS_ORIGINS: (props.corsOrigins ?? ['*']).join(','),
      METRICS_NAMESPACE,
      NODE_OPTIONS: '--enable-source-maps',
    };
    const fn = (id: string, code: lambda.Code, handler: string, timeout: Duration, memorySize: number, reservedConcurrentExecutions?: number) =>
      new lambda.Function(this, id, {
        reservedConcurrentExecutions,
        runtime: LAMBDA_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        code,
        handler,
        timeout,
        memorySize,
        environment,
        logGroup: new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      });
    this.builderConcurrency = builderReservedConcurrency(props.expectedDevices ?? DEFAULT_EXPECTED_DEVICES);
    this.builder = fn('BuilderFunction', props.builderCode, props.builderHandler, builderTimeout, 1024, this.builderConcurrency);
    this.api = fn('ApiFunction', props.apiCode, props.apiHandler, Duration.seconds(10), 512);

    this.readSamples(this.builder);
    // Explicit S3 actions, no wildcards: no s3:DeleteObjectVersion (a plain DeleteObject on a versioned
    // bucket writes a delete marker; old versions go only by the lifecycle rules).
    this.builder.addToRolePolicy(new iam.PolicyStatement({
      sid: 'BuildSnapshots',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [this.bucket.arnForObjects('*')],
    }));
    this.builder.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListSnapshots', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    this.jobsTable.grantReadWriteData(this.builder);
    this.builder.addEventSource(new SqsEventSource(this.refreshQueue, { batchSize: 5, reportBatchItemFailures: true }));
    // Fan-out of scheduled runs (docs/deploy-aws.md, "A fleet"): a run over more than DEVICES_PER_SHARD
    // devices queues one message per shard here; the builder consumes them one per invocation, at most
    // its reserved concurrency at once. A shard that fails as a whole is retried, then dead-lettered.
    this.buildShardQueue = new sqs.Queue(this, 'BuildShardQueue', {
      visibilityTimeout: Duration.seconds(builderTimeout.toSeconds() * 6),
      retentionPeriod: Duration.minutes(15),
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 2 },
    });
    this.builder.addEnvironment('SHARD_QUEUE_URL', this.buildShardQueue.queueUrl);
    this.buildShardQueue.grantSendMessages(this.builder);
    this.builder.addEventSource(new SqsEventSource(this.buildShardQueue, { batchSize: 1, reportBatchItemFailures: true }));
    for (const group of scheduleGroups()) {
      const event: ScheduledBuildEvent = { source: 'sensorctl.schedule', windows: group.windows };
      new events.Rule(this, `BuildEvery${group.rateMinutes}Min`, {
        description: `Rebuild snapshots of windows ${group.windows.join(', ')}`,
        schedule: events.Schedule.rate(Duration.minutes(group.rateMinutes)),
        targets: [new targets.LambdaFunction(this.builder, { event: events.RuleTargetInput.fromObject(event), retryAttempts: 0 })],
      });
    }

    for (const f of [this.api, ...(this.addStreamingApi(props, environment) ?? [])]) {
      this.readSamples(f);
      f.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadSnapshots', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('*')] }));
      this.jobsTable.grantReadWriteData(f);
      this.refreshQueue.grantSendMessages(f);
    }
    // The HTTP API invokes the `live` alias, so provisioned concurrency (when set) serves real requests;
    // without it the keep-warm schedule pings the same alias.
    const provisioned = props.apiProvisionedConcurrency ?? 0;
    this.apiAlias = new lambda.Alias(this, 'ApiLive', {
      aliasName: 'live', version: this.api.currentVersion, ...(provisioned > 0 ? { provisionedConcurrentExecutions: provisioned } : {}),
    });
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'sensorctl samples API',
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', this.apiAlias),
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsOrigins ?? ['*'],
        allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.OPTIONS],
        allowHeaders: ['content-type', 'if-none-match', 'last-event-id'],
        exposeHeaders: ['etag', 'last-modified', 'last-updated', 'x-granularity', 'x-snapshot-source'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    new apigw.HttpStage(this, 'HttpApiDefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    if (provisioned === 0) {
      new events.Rule(this, 'ApiKeepWarm', {
        description: 'Keep one API Lambda container warm for /samples/latest',
        schedule: events.Schedule.rate(Duration.minutes(5)),
        targets: [new targets.LambdaFunction(this.apiAlias, { event: events.RuleTargetInput.fromObject(KEEP_WARM_EVENT), retryAttempts: 0 })],
      });
    }

    this.distribution = this.makeDistribution();
    if (props.pageDir) {
      // The same files the Pi serves from web/dist, but config.json generated from this stack. Prune
      // (the default) removes the previous build's hashed assets; index.html is revalidated on every
      // request, so no viewer is handed an asset name that is gone.
      this.pageDeployment = new s3deploy.BucketDeployment(this, 'PageDeployment', {
        sources: [
          s3deploy.Source.asset(props.pageDir, { exclude: [...PAGE_UPLOAD_EXCLUDES] }),
          s3deploy.Source.jsonData(PAGE_CONFIG_FILE, deployedPageConfig(props.deviceIds)),
        ],
        destinationBucket: this.pageBucket,
        memoryLimit: 256,
      });
      this.pageDeploymentHandler = this.pageDeployment.handlerRole.node.scope;
    }

    this.piPolicy = new iam.ManagedPolicy(this, 'PiPolicy', {
      description: 'sensorctl Pi: write its own samples, read its own canonical meta, write its own fallback/ snapshots only',
      statements: piPolicyStatements(this.samplesTable, this.bucket),
    });
    ({ role: this.piRole, trustAnchor: this.piTrustAnchor, profile: this.piProfile } = this.makePiIdentity());

    this.monitoring = new Monitoring(this, 'Monitoring', {
      builder: this.builder, api: this.api, samplesTable: this.samplesTable, jobsTable: this.jobsTable,
      deadLetterQueue: this.deadLetterQueue, builderP95Ms: 60_000, apiP95Ms: 3_000, dynamoLatencyMs: 100,
      alarmEmail: props.alarmEmail,
    });

    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('SamplesTableName', this.samplesTable.tableName, 'config.json cloud.table');
    out('SnapshotBucketName', this.bucket.bucketName, 'config.json cloud.bucket');
    out('DistributionDomainName', this.distribution.distributionDomainName, 'public URL host: https://<this>/samples/latest?window=1h');
    out('PageUrl', `https://${this.distribution.distributionDomainName}/`, 'the dashboard (index.html and config.json from the page bucket)');
    out('PageBucketName', this.pageBucket.bucketName, 'the built page (web/dist) as uploaded by the PageDeployment');
    out('HttpApiUrl', this.httpApi.apiEndpoint, 'API Gateway endpoint (CloudFront forwards /samples/* here)');
    out('RefreshQueueUrl', this.refreshQueue.queueUrl, 'SQS refresh queue');
    out('JobsTableName', this.jobsTable.tableName, 'refresh job state (TTL attribute expiresAtS)');
    out('PiTrustAnchorArn', this.piTrustAnchor.attrTrustAnchorArn, 'aws_signing_helper --trust-anchor-arn (docs/install-pi.md)');
    out('PiProfileArn', this.piProfile.attrProfileArn, 'aws_signing_helper --profile-arn');
    out('PiRoleArn', this.piRole.roleArn, 'aws_signing_helper --role-arn');
    out('DashboardName', this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard');
    out('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic of every alarm');
    acknowledgeNagFindings(this);
  }

  /**
   * Per-device identities: IAM Roles Anywhere trusts the CA that signs the Pis' certificates
   * (parameter `PiCaCertificatePem`); each Pi exchanges its own certificate for 1-hour credentials of
   * `PiDeviceRole` through the SDK's `credential_process` (aws_signing_helper). The session carries the
   * certificate's CN as `x509Subject/CN`, to which `PiPolicy` scopes every statement.
   */
  private makePiIdentity(): { role: iam.Role; trustAnchor: rolesanywhere.CfnTrustAnchor; profile: rolesanywhere.CfnProfile } {
    const caPem = new CfnParameter(this, 'PiCaCertificatePem', {
      type: 'String',
      description: "PEM of the CA that signs the Pis' certificates (subject CN = the Pi's deviceId); see docs/install-pi.md",
    });
    const trustAnchor = new rolesanywhere.CfnTrustAnchor(this, 'PiTrustAnchor', {
      name: `${this.stackName}-pis`,
      enabled: true,
      source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: caPem.valueAsString } },
    });
    const principal = new iam.ServicePrincipal('rolesanywhere.amazonaws.com');
    const fromAnchor = { ArnEquals: { 'aws:SourceArn': trustAnchor.attrTrustAnchorArn } };
    const role = new iam.Role(this, 'PiDeviceRole', {
      description: 'Assumed by each Pi through IAM Roles Anywhere with its own certificate',
      assumedBy: principal.withConditions(fromAnchor),
      maxSessionDuration: Duration.hours(1),
      managedPolicies: [this.piPolicy],
    });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:TagSession', 'sts:SetSourceIdentity'], principals: [principal], conditions: fromAnchor }));
    const profile = new rolesanywhere.CfnProfile(this, 'PiProfile', {
      name: `${this.stackName}-pi`,
      enabled: true,
      roleArns: [role.roleArn],
      durationSeconds: 3600,
    });
    return { role, trustAnchor, profile };
  }

  /**
   * The push channel: API Gateway buffers responses, so live Server-Sent Events go through a second
   * function (same code, `streamHandler`) behind a Lambda function URL with response streaming. The URL
   * takes only IAM-signed requests (`AWS_IAM`), and CloudFront signs them through origin access control
   * on the events path (`EVENTS_PATH_PATTERN`), so the page's relative `eventsUrl` streams through the
   * stack's own domain and nothing else can reach the function.
   */
  private addStreamingApi(props: SensorStackProps, environment: Record<string, string>): lambda.Function[] | undefined {
    if (!props.apiStreamHandler) return undefined;
    const streaming = new lambda.Function(this, 'ApiStreamFunction', {
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      code: props.apiCode,
      handler: props.apiStreamHandler,
      timeout: Duration.minutes(5),
      memorySize: 512,
      environment,
      logGroup: new logs.LogGroup(this, 'ApiStreamFunctionLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    this.streamUrl = streaming.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM, invokeMode: lambda.InvokeMode.RESPONSE_STREAM });
    this.streamFunction = streaming;
    return [streaming];
  }

  /**
   * CloudFront: the page bucket (origin access control) by default, `/` answered with index.html,
   * hashed assets cached a year; S3 (origin access control) for snapshots under `snapshots/` and
   * `fallback/` with per-window TTLs; the HTTP API for /samples/*.
   */
  /**
   * Read access to the samples table, no wildcard: GetItem (catalogue items) and Query (sample ranges)
   * on the table, and Query on the device index only (`aws/dynamodb-devices.ts`; no Scan anywhere).
   */
  private readSamples(fn: lambda.Function): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadSamples', actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [this.samplesTable.tableArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListDevices', actions: ['dynamodb:Query'], resources: [`${this.samplesTable.tableArn}/index/${DEVICE_INDEX_NAME}`] }));
  }

  private makeDistribution(): cloudfront.Distribution {
    const s3Origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    const snapshotBehaviourWith = (cachePolicy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin: s3Origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
      cachePolicy,
    });
    const snapshotBehaviour = (name: string, ttlS: number): cloudfront.BehaviorOptions => snapshotBehaviourWith(new cloudfront.CachePolicy(this, `Cache${name}`, {
      comment: `sensorctl ${name}: ${ttlS} s`,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(ttlS),
      maxTtl: Duration.seconds(ttlS),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList('versionId'),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    }));
    const apiOrigin = new origins.HttpOrigin(Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
    });
    const apiBehaviour = (cachePolicy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    });
    const latestPolicy = new cloudfront.CachePolicy(this, 'CacheApiLatest', {
      comment: 'sensorctl /samples/latest: honours the API Cache-Control (no-store for fresh=true)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(900),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Origin'),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {};
    if (this.streamUrl) {
      // First: CloudFront matches behaviours in order, and /samples/refresh* would take the events path.
      additionalBehaviors[EVENTS_PATH_PATTERN] = {
        origin: origins.FunctionUrlOrigin.withOriginAccessControl(this.streamUrl, { readTimeout: Duration.seconds(60) }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        compress: false, // a compressed stream is buffered: events must reach the page as they happen
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      };
    }
    Object.assign(additionalBehaviors, {
      '/samples/refresh*': apiBehaviour(cloudfront.CachePolicy.CACHING_DISABLED),
      '/samples/*': apiBehaviour(latestPolicy),
    });
    for (const b of snapshotBehaviours()) additionalBehaviors[b.pathPattern] = snapshotBehaviour(b.name, b.ttlS);
    // Every other snapshot object (what the default behaviour served before the page took it): 60 s.
    const otherSnapshots = snapshotBehaviour('Default', 60);
    for (const prefix of SNAPSHOT_PATH_PREFIXES) additionalBehaviors[`${prefix}*`] = otherSnapshots;

    const pageOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.pageBucket);
    /** `ttl`: edge TTL of objects without Cache-Control (all of them: the upload sets none); `maxTtl` > 0 keeps compression on. */
    const pageBehaviour = (name: string, ttl: Duration, cacheControl: string): cloudfront.BehaviorOptions => ({
      origin: pageOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: new cloudfront.CachePolicy(this, `Cache${name}`, {
        comment: `sensorctl ${name}: ${ttl.toSeconds()} s at the edge`,
        minTtl: ttl,
        defaultTtl: ttl,
        maxTtl: ttl.toSeconds() > 0 ? ttl : Duration.seconds(60),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      }),
      // The browser gets the Pi's Cache-Control (platform/static-files.ts), whatever S3 sends.
      responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(this, `Headers${name}`, {
        comment: `sensorctl ${name}: Cache-Control ${cacheControl}`,
        customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }] },
        securityHeadersBehavior: { contentTypeOptions: { override: true } },
      }),
    });
    const assets = pageBehaviour('PageAssets', Duration.days(365), PAGE_CACHE_CONTROL.assets);
    for (const pattern of PAGE_ASSET_PATH_PATTERNS) additionalBehaviors[pattern] = assets;
    return new cloudfront.Distribution(this, 'Distribution', {
      comment: 'sensorctl dashboard, snapshots and samples API',
      // index.html and config.json: revalidated at S3 on every request (conditional GET), so a deploy shows at once.
      defaultBehavior: pageBehaviour('Page', Duration.seconds(0), PAGE_CACHE_CONTROL.page),
      defaultRootObject: PAGE_ROOT_OBJECT,
      additionalBehaviors,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
  }
}
