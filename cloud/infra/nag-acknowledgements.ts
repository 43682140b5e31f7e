/**
 * cdk-nag (AwsSolutions pack) findings this stack accepts, each on the construct it concerns and with
 * its reason. `test/cloud/infra/cdk-nag.test.ts` runs the pack on the stack in `npm test`: any finding
 * not acknowledged here fails it, so a new one is either fixed or argued here.
 */
import { Validations } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The parts of the sensorctl stack findings are acknowledged on (SensorStack has them). */
export interface NagScopes extends Stack {
  builder: IConstruct;
  api: IConstruct;
  streamFunction?: IConstruct;
  piPolicy: IConstruct;
  bucket: IConstruct;
  httpApi: IConstruct;
  distribution: IConstruct;
  jobsTable: IConstruct;
  pageBucket: IConstruct;
  /** The page upload's Lambda (CDK's BucketDeployment handler), when the page is uploaded. */
  pageDeploymentHandler?: IConstruct;
}

/** One acknowledged finding: `rule` as cdk-nag names it (with its `[finding]` part, if any), and why. */
export interface NagAcknowledgement {
  rule: string;
  reason: string;
}

const ack = (scope: IConstruct, ...rules: NagAcknowledgement[]): void =>
  Validations.of(scope).acknowledge(...rules.map((r) => ({ id: `AwsSolutions::${r.rule}`, reason: r.reason })));

/** Acknowledge the stack's accepted findings (see the module comment). */
export function acknowledgeNagFindings(stack: NagScopes): void {
  const bucketObjects = `Resource::<${stack.getLogicalId(stack.bucket.node.defaultChild as never)}.Arn>`;
  for (const fn of [stack.builder, stack.api, ...(stack.streamFunction ? [stack.streamFunction] : [])]) {
    ack(fn,
      {
        rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The AWS managed basic execution policy grants only CreateLogGroup/CreateLogStream/PutLogEvents, which every Lambda needs; a copy of it would only drift.',
      },
      {
        rule: `AwsSolutions-IAM5[${bucketObjects}/*]`,
        reason: 'Window objects are per device and window, so the builder and the API address objects by computed keys across the bucket; the actions are listed one by one, and version deletes are not among them.',
      });
  }
  ack(stack.piPolicy,
    {
      rule: `AwsSolutions-IAM5[${bucketObjects}/snapshots/<aws:PrincipalTag/x509Subject/CN>/*.snapshots]`,
      reason: 'Scoped to the signed-in device by its certificate CN; the wildcard covers only that device\'s window objects (one per window).',
    },
    {
      rule: `AwsSolutions-IAM5[${bucketObjects}/fallback/snapshots/<aws:PrincipalTag/x509Subject/CN>/*]`,
      reason: 'Scoped to the signed-in device by its certificate CN; the wildcard covers that device\'s own fallback window objects (and the earlier layout\'s keys it deletes) only.',
    });
  ack(stack.bucket, {
    rule: 'AwsSolutions-S1',
    reason: 'Every object is a rebuildable snapshot readable through CloudFront; reads are logged by CloudFront and the API, writes by the builders\' own logs. Server access logs would double the request bill of the busiest bucket for no new fact.',
  });
  ack(stack.pageBucket, {
    rule: 'AwsSolutions-S1',
    reason: 'The page bucket holds only the built dashboard, written by this stack\'s deployment and read only by CloudFront (origin access control); the stack\'s CloudFormation events record every write.',
  });
  if (stack.pageDeploymentHandler) {
    const pageObjects = `Resource::<${stack.getLogicalId(stack.pageBucket.node.defaultChild as never)}.Arn>/*`;
    const why = 'CDK\'s BucketDeployment grants these to its upload Lambda: read of the CDK bootstrap asset bucket (the zipped page) and read/write/delete on the page bucket, which holds nothing but the page (never the versioned snapshot bucket); it runs only during a deploy.';
    ack(stack.pageDeploymentHandler,
      { rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The upload Lambda needs only to write its logs; the AWS managed basic execution policy grants exactly that.' },
      ...['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*',
        'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*', pageObjects]
        .map((finding) => ({ rule: `AwsSolutions-IAM5[${finding}]`, reason: why })),
      { rule: 'AwsSolutions-L1', reason: 'The runtime of CDK\'s BucketDeployment handler (Python with the AWS CLI layer) is chosen by aws-cdk-lib and moves with it; it runs only while CloudFormation deploys the page.' });
  }
  ack(stack.httpApi, {
    rule: 'AwsSolutions-APIG4',
    reason: 'A public read API for a dashboard (the same data CloudFront serves from S3); POST /samples/refresh only queues a rebuild of existing data and is bounded by stage throttling and the builder\'s reserved concurrency.',
  });
  ack(stack.distribution,
    { rule: 'AwsSolutions-CFR1', reason: 'Sensor dashboards are read from anywhere their owners travel; no geography is excluded.' },
    { rule: 'AwsSolutions-CFR2', reason: 'No WAF: the origin data is public, read-mostly and cached; the HTTP API stage throttles. A WAF web ACL costs more per month than the rest of a small fleet\'s stack.' },
    { rule: 'AwsSolutions-CFR3', reason: 'CloudFront standard metrics plus the HTTP API access log cover the operator\'s questions; distribution access logs would need a log bucket that itself needs logging.' },
    { rule: 'AwsSolutions-CFR4', reason: 'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum TLS version; a custom domain (with its own certificate and TLSv1.2_2021) is the deployer\'s choice.' });
  ack(stack.jobsTable, {
    rule: 'AwsSolutions-DDB3',
    reason: 'Refresh-job state lives minutes (TTL attribute); after a restore the jobs would be over anyway. The samples table has point-in-time recovery.',
  });
}
