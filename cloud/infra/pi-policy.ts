/**
 * The Pi's least-privilege IAM policy: write samples, read the cloud's meta, and write last-resort
 * snapshots under its `fallback/` prefix only. Nothing else: no reads of the table, no writes to
 * canonical keys, no other bucket.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Key prefix the Pi may write (builder/constants.ts `fallbackPrefix` lives under it). */
export const PI_WRITE_PREFIX = 'fallback/';

/**
 * Statements:
 * - `dynamodb:BatchWriteItem`, `dynamodb:PutItem` on the samples table (the uploader);
 * - `s3:GetObject` on canonical meta objects `snapshots/*.meta.json` (the fallback policy reads them);
 * - `s3:PutObject`, `s3:PutObjectTagging` (temp-key tag), `s3:GetObject` (read-back validation of
 *   its staged write) and `s3:DeleteObject` (temp-key removal) on `fallback/*` only;
 * - `s3:ListBucket` restricted by `s3:prefix` to `fallback/` (sweeping its stale temp keys).
 * IAM actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
export function piPolicyStatements(table: dynamodb.ITable, bucket: s3.IBucket): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'WriteSamples',
      actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReadCanonicalMeta',
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('snapshots/*.meta.json')],
    }),
    new iam.PolicyStatement({
      sid: 'WriteFallbackSnapshots',
      actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:GetObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(`${PI_WRITE_PREFIX}*`)],
    }),
    new iam.PolicyStatement({
      sid: 'ListFallbackPrefix',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${PI_WRITE_PREFIX}*`] } },
    }),
  ];
}
