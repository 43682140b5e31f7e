/**
 * The refresh-jobs table, the one definition: partition key `pk` (S), no sort key, on-demand
 * billing, TTL on `expiresAtS` (epoch SECONDS). `DynamoDbJobStore` (`dynamodb-job-store.ts`) writes
 * job and lock items into it; `cloud/infra/sensor-stack.ts` declares it from these names (a test
 * compares the synthesized template with `JOBS_TABLE_DEFINITION`); `sensorctl table create
 * --jobs-table`, `npm run cloud:local`, the cost bench and the tests create it with `createJobsTable`.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
import { DescribeTimeToLiveCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable, translateError, type TableDescription } from './dynamodb-sink.js';
import { FatalUploadError } from '../agent/upload/errors.js';

/** Partition key (S) of every jobs-table item: `job#{requestId}` or `lock#{device}#{window}`. */
export const JOBS_PARTITION_KEY = 'pk';
/** TTL attribute (N, epoch seconds) of every jobs-table item. */
export const JOBS_TTL_ATTRIBUTE = 'expiresAtS';

/** The jobs table: CreateTable's key schema, attribute definitions and billing, plus its TTL attribute. */
export const JOBS_TABLE_DEFINITION = {
  AttributeDefinitions: [{ AttributeName: JOBS_PARTITION_KEY, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: JOBS_PARTITION_KEY, KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
  TimeToLiveAttribute: JOBS_TTL_ATTRIBUTE,
} as const;

/** `JOBS_TABLE_DEFINITION` as a mutable CreateTable input for `tableName` (TTL is set apart: UpdateTimeToLive). */
export function createJobsTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: JOBS_TABLE_DEFINITION.BillingMode,
    AttributeDefinitions: JOBS_TABLE_DEFINITION.AttributeDefinitions.map((a) => ({ ...a })),
    KeySchema: JOBS_TABLE_DEFINITION.KeySchema.map((k) => ({ ...k })),
  };
}

/**
 * What `createJobsTable` found or did about TTL: `enabled` now, `already-enabled` (on
 * `JOBS_TTL_ATTRIBUTE`), or `unsupported` by the endpoint (an emulator such as dynalite answers
 * UpdateTimeToLive with UnknownOperationException; the job store ignores expired items on read anyway).
 */
export type JobsTtlState = 'enabled' | 'already-enabled' | 'unsupported';

/** What `createJobsTable` did. */
export interface JobsTableResult {
  table: string;
  /** Whether the table was created now (false: it existed with the right key schema). */
  created: boolean;
  ttl: JobsTtlState;
  description: TableDescription;
}

const isUnknownOperation = (err: unknown) => (err as { name?: string })?.name === 'UnknownOperationException';

/**
 * Create the jobs table `table` unless it exists, wait until it is ACTIVE (at most `maxWaitS` s), and
 * turn TTL on `JOBS_TTL_ATTRIBUTE` on unless it is on. Idempotent.
 * @throws {FatalUploadError} code `KeySchemaMismatch` when an existing table's key schema is not
 * `pk (S, HASH)`, code `TtlAttributeMismatch` when its TTL is on another attribute; other SDK errors
 * translated by `translateError` (credentials redacted).
 */
export async function createJobsTable(client: DynamoDBClient, table: string, maxWaitS = 120): Promise<JobsTableResult> {
  const { created, description } = await ensureTable(
    client,
    createJobsTableInput(table),
    maxWaitS,
    'refresh jobs cannot be stored in it: delete it or choose another --jobs-table',
  );
  return { table, created, ttl: await enableJobsTtl(client, table), description };
}

/** Turn TTL on `JOBS_TTL_ATTRIBUTE` on for `table` unless it is on (see `JobsTtlState`). */
async function enableJobsTtl(client: DynamoDBClient, table: string): Promise<JobsTtlState> {
  let status: string | undefined;
  let attribute: string | undefined;
  try {
    const out = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    status = out.TimeToLiveDescription?.TimeToLiveStatus;
    attribute = out.TimeToLiveDescription?.AttributeName;
  } catch (err) {
    if (isUnknownOperation(err)) return 'unsupported';
    throw translateError(table, err);
  }
  if (status === 'ENABLED' || status === 'ENABLING') {
    if (attribute !== undefined && attribute !== JOBS_TTL_ATTRIBUTE) {
      throw new FatalUploadError(table, 'TtlAttributeMismatch', `TTL is on attribute ${attribute}, expected ${JOBS_TTL_ATTRIBUTE}: job and lock items would never expire; delete the table or choose another --jobs-table`);
    }
    return 'already-enabled';
  }
  try {
    await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: JOBS_TTL_ATTRIBUTE, Enabled: true } }));
    return 'enabled';
  } catch (err) {
    if (isUnknownOperation(err)) return 'unsupported';
    throw translateError(table, err);
  }
}
