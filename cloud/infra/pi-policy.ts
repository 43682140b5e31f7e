/**
 * The Pi's least-privilege IAM policy, per device: each Pi signs in with its own X.509 certificate
 * through IAM Roles Anywhere (short-lived credentials, no shared long-lived key), and the session
 * carries the certificate's subject CN as the principal tag `x509Subject/CN`, which must be the Pi's
 * `deviceId`. Every statement is scoped to that tag, so one Pi can write only its own samples
 * (DynamoDB partition key = its deviceId, `dynamodb:LeadingKeys`), read only its own canonical meta and
 * write only its own `fallback/snapshots/<deviceId>/` keys; revoking one Pi = revoking its certificate.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Key prefix the Pis may write under (builder/constants.ts `fallbackPrefix` lives under it). */
export const PI_WRITE_PREFIX = 'fallback/';

/** The session tag Roles Anywhere sets from the certificate's subject CN: the Pi's deviceId. */
export const DEVICE_ID_PRINCIPAL_TAG = 'aws:PrincipalTag/x509Subject/CN';
/** The IAM policy variable of that tag, as written in resources and conditions. */
export const DEVICE_ID_VARIABLE = '${' + DEVICE_ID_PRINCIPAL_TAG + '}';

/**
 * Statements (all scoped to the signed-in device, `DEVICE_ID_VARIABLE`):
 * - `dynamodb:BatchWriteItem`, `dynamodb:PutItem` on the samples table, only for items whose
 *   partition key is the device's id (`ForAllValues:StringEquals dynamodb:LeadingKeys`);
 * - `s3:GetObject` on its canonical window objects `snapshots/<id>/*.snapshots` (the fallback policy
 *   reads their metas);
 * - `s3:PutObject`, `s3:GetObject` (its own rollup state, in its window objects) and `s3:DeleteObject`
 *   (the earlier layout's keys; no version deletes) on `fallback/snapshots/<id>/*`;
 * - `s3:ListBucket` restricted by `s3:prefix` to `fallback/snapshots/<id>/` (finding the earlier layout's keys once).
 * IAM actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
export function piPolicyStatements(table: dynamodb.ITable, bucket: s3.IBucket): iam.PolicyStatement[] {
  const ownFallback = `${PI_WRITE_PREFIX}snapshots/${DEVICE_ID_VARIABLE}/`;
  return [
    new iam.PolicyStatement({
      sid: 'WriteOwnSamples',
      actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [DEVICE_ID_VARIABLE] } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadOwnCanonicalWindowObjects',
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`snapshots/${DEVICE_ID_VARIABLE}/*.snapshots`)],
    }),
    new iam.PolicyStatement({
      sid: 'WriteOwnFallbackSnapshots',
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(`${ownFallback}*`)],
    }),
    new iam.PolicyStatement({
      sid: 'ListOwnFallbackPrefix',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${ownFallback}*`] } },
    }),
  ];
}
