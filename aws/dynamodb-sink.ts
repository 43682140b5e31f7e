/**
 * DynamoDB adapter of `ItemSink` (@aws-sdk/client-dynamodb v3, BatchWriteItem) and the table
 * operations behind `sensorctl table`. The sink owns the wire format: it encodes upload items and
 * catalogues with `dynamodb-item.ts`, rejects what can never be written (no finite value, over
 * `MAX_ITEM_BYTES`), and reports `UnprocessedItems` as core keys. SDK errors become `UploadError`
 * subclasses (transient / permanent / fatal), so the policy never sees SDK error types.
 *
 * Credentials come from the SDK's default chain (environment, shared config, `AWS_PROFILE`, …). Build
 * the client with `createDynamoClient(env, UPLOAD_CLIENT_OPTIONS)` (`clients.ts`): the SDK's built-in
 * retries are turned off (`maxAttempts: 1`) because the uploader owns retries and counts them.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type AttributeValue as SdkAttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  createTableInput,
  encodeCatalogItem,
  encodeSampleItem,
  itemSizeBytes,
  MAX_ITEM_BYTES,
  PARTITION_KEY,
  SORT_KEY,
  TABLE_DEFINITION,
  type Item,
} from './dynamodb-item.js';
import type { DynamoClientOptions } from './clients.js';
import { redactAwsSecrets } from './redact.js';
import type { UploadItem } from '../agent/buffer/ports.js';
import { FatalUploadError, PermanentUploadError, TransientUploadError, type UploadError } from '../agent/upload/errors.js';
import type { DeviceCatalog, ItemKey, ItemSink, SinkEncoding } from '../agent/upload/ports.js';
import { MIN_SAMPLE_TS_MS } from '../builder/types.js';

/**
 * Client settings of the Pi's DynamoDB client (the sink and `sensorctl table`): one attempt per
 * request (the uploader retries and counts), 15 s per request, 3 s to connect.
 */
export const UPLOAD_CLIENT_OPTIONS = { maxAttempts: 1, requestTimeoutMs: 15_000, connectionTimeoutMs: 3_000 } as const satisfies DynamoClientOptions;

/** Service error names (`__type` suffix) that mean "slow down and retry". */
export const THROTTLING_ERRORS = ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException'];
/** Errors that mean nothing can be written until an operator acts. */
export const FATAL_ERRORS = [
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'CredentialsProviderError',
];
/**
 * ValidationException messages that mean the table's key schema is not ours (a table made by hand
 * with `tsMs` as S, say): DynamoDB says "Type mismatch for key …", dynalite "The provided key element
 * does not match the schema" (the encoder always writes both keys, so only the table can be wrong).
 * Fatal, not a bad item: every item would be refused.
 */
const KEY_SCHEMA_MISMATCH = /type mismatch for key|key element does not match the schema/i;
/** Node network error codes treated as transient. */
const NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED'];


/** Translate any error thrown by an SDK call into an `UploadError` of the right kind. */
export function translateError(table: string, err: unknown): UploadError {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string; cause?: { code?: string } };
  const name = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode;
  const netCode = e?.code ?? e?.cause?.code;
  const message = redactAwsSecrets(e?.message ?? String(err));
  if (THROTTLING_ERRORS.includes(name)) return new TransientUploadError(table, name, message, { cause: err });
  if (FATAL_ERRORS.includes(name)) return new FatalUploadError(table, name, message, { cause: err });
  if (name === 'ValidationException' && KEY_SCHEMA_MISMATCH.test(message)) {
    return new FatalUploadError(table, 'KeySchemaMismatch', `${message}: the table's key schema is not ${expectedKeySchema()}; check it with \`sensorctl table describe --table ${table}\` (items stay pending)`, { cause: err });
  }
  if (name === 'ValidationException' || name === 'SerializationException') return new PermanentUploadError(table, name, message, { cause: err });
  if ((status !== undefined && status >= 500) || e?.$fault === 'server') return new TransientUploadError(table, name, message, { cause: err });
  if ((netCode && NETWORK_CODES.includes(netCode)) || ['TimeoutError', 'RequestTimeout', 'AbortError'].includes(name) || status === undefined) {
    return new TransientUploadError(table, netCode ?? name, message, { cause: err });
  }
  if (status === 400 || status === 413) return new PermanentUploadError(table, name, message, { cause: err });
  return new FatalUploadError(table, name, message, { cause: err });
}

/** One table, written with BatchWriteItem, in the item format of `dynamodb-item.ts`. */
export class DynamoDbSink implements ItemSink<Item> {
  constructor(private readonly client: DynamoDBClient, readonly table: string) {}

  /**
   * The sample item of one instant; rejected when `tsMs` is before `MIN_SAMPLE_TS_MS` (2000-01-01: the
   * catalogue item lives at `tsMs` 0, and an earlier sample would overwrite it), when no value is finite,
   * or when it is over `MAX_ITEM_BYTES`.
   */
  encodeSample(sample: UploadItem): SinkEncoding<Item> {
    if (!Number.isSafeInteger(sample.tsMs) || sample.tsMs < MIN_SAMPLE_TS_MS) {
      return { rejected: `tsMs ${sample.tsMs} is before ${new Date(MIN_SAMPLE_TS_MS).toISOString()} (the earliest time a sample may carry; tsMs 0 is the catalogue item)` };
    }
    const { item, valueCount } = encodeSampleItem(sample.deviceId, sample.tsMs, sample.values);
    if (valueCount === 0) return { rejected: 'no finite value at this instant' };
    const bytes = itemSizeBytes(item);
    if (bytes > MAX_ITEM_BYTES) return { rejected: `item is ${bytes} bytes, over the ${MAX_ITEM_BYTES}-byte limit` };
    return { item };
  }

  /** The catalogue item (`tsMs = 0`). @throws {RangeError} when `backfillFromMs` is not an integer. */
  encodeCatalog(catalog: DeviceCatalog): Item {
    return encodeCatalogItem(catalog.deviceId, catalog.series, catalog.backfillFromMs);
  }

  /** One BatchWriteItem of `items` (≤ 25, distinct keys); see `ItemSink.writeBatch`. */
  async writeBatch(items: readonly Item[]): Promise<{ unprocessed: ItemKey[] }> {
    let out;
    try {
      out = await this.client.send(
        new BatchWriteItemCommand({
          RequestItems: { [this.table]: items.map((Item) => ({ PutRequest: { Item: Item as Record<string, SdkAttributeValue> } })) },
        }),
      );
    } catch (err) {
      throw translateError(this.table, err);
    }
    const left = out.UnprocessedItems?.[this.table] ?? [];
    return {
      unprocessed: left.flatMap((request) => {
        const item = request.PutRequest?.Item;
        const deviceId = item?.[PARTITION_KEY]?.S;
        const tsText = item?.[SORT_KEY]?.N;
        return deviceId !== undefined && tsText !== undefined ? [{ deviceId, tsMs: Number(tsText) }] : [];
      }),
    };
  }
}

/** The key part of a CreateTable definition (`TABLE_DEFINITION`, `JOBS_TABLE_DEFINITION`). */
export interface TableKeyDefinition {
  readonly AttributeDefinitions: readonly { readonly AttributeName: string; readonly AttributeType: string }[];
  readonly KeySchema: readonly { readonly AttributeName: string; readonly KeyType: string }[];
}

/**
 * The key schema a table must have, as `table describe` spells keys; by default the samples table's:
 * `deviceId (S, HASH), tsMs (N, RANGE)`.
 */
export function expectedKeySchema(definition: TableKeyDefinition = TABLE_DEFINITION): string {
  const types = new Map<string, string>(definition.AttributeDefinitions.map((a) => [a.AttributeName, a.AttributeType]));
  return definition.KeySchema.map((k) => `${k.AttributeName} (${types.get(k.AttributeName)}, ${k.KeyType})`).join(', ');
}

/** `keySchema` of a `TableDescription` in the same words as `expectedKeySchema`. */
export function keySchemaText(keySchema: TableDescription['keySchema']): string {
  return keySchema.map((k) => `${k.attribute} (${k.attributeType ?? '?'}, ${k.keyType})`).join(', ');
}

/** What `sensorctl table describe` shows. */
export interface TableDescription {
  table: string;
  status: string;
  billingMode?: string;
  keySchema: Array<{ attribute: string; keyType: string; attributeType?: string }>;
  itemCount?: number;
  sizeBytes?: number;
}

/**
 * Describe `table`; `undefined` when it does not exist.
 * @throws {UploadError} for any other failure (translated).
 */
export async function describeTable(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    const { Table: t } = await client.send(new DescribeTableCommand({ TableName: table }));
    const types = new Map((t?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
    return {
      table,
      status: t?.TableStatus ?? 'UNKNOWN',
      billingMode: t?.BillingModeSummary?.BillingMode ?? (t?.ProvisionedThroughput?.ReadCapacityUnits ? 'PROVISIONED' : undefined),
      keySchema: (t?.KeySchema ?? []).map((k) => ({ attribute: k.AttributeName ?? '', keyType: k.KeyType ?? '', attributeType: types.get(k.AttributeName) })),
      itemCount: t?.ItemCount,
      sizeBytes: t?.TableSizeBytes,
    };
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw translateError(table, err);
  }
}

/**
 * Create the samples table (on-demand, TTL off: TTL is off unless enabled) unless it exists, then
 * wait until it is ACTIVE. Idempotent. @returns whether it was created now.
 * @throws {FatalUploadError} (code `KeySchemaMismatch`) when an existing table has other key
 * attributes, key types or attribute types (`tsMs` as S): nothing could be uploaded into it.
 */
export async function createTable(client: DynamoDBClient, table: string, maxWaitS = 120): Promise<{ created: boolean; description: TableDescription }> {
  return ensureTable(client, createTableInput(table), maxWaitS, 'the uploader cannot write into it: delete it or choose another --table');
}

/**
 * Create the table `input` describes unless it exists, then wait until it is ACTIVE (at most
 * `maxWaitS` s). Idempotent: an existing table is checked, never changed. `mismatchAdvice` ends the
 * message when the existing table's key schema differs (what that breaks, what to do).
 * @returns whether it was created now, and its description once ACTIVE.
 * @throws {FatalUploadError} (code `KeySchemaMismatch`) when an existing table has other key
 * attributes, key types or attribute types; any other failure translated (`translateError`).
 */
export async function ensureTable(
  client: DynamoDBClient,
  input: CreateTableCommandInput & TableKeyDefinition & { TableName: string },
  maxWaitS: number,
  mismatchAdvice: string,
): Promise<{ created: boolean; description: TableDescription }> {
  const table = input.TableName;
  let created = false;
  const existing = await describeTable(client, table);
  if (!existing) {
    try {
      await client.send(new CreateTableCommand(input));
      created = true;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceInUseException') throw translateError(table, err);
    }
  } else {
    const want = expectedKeySchema(input);
    const got = keySchemaText(existing.keySchema);
    if (want !== got) {
      throw new FatalUploadError(table, 'KeySchemaMismatch', `the existing table's key schema is ${got}, expected ${want}; ${mismatchAdvice}`);
    }
  }
  try {
    await waitUntilTableExists({ client, maxWaitTime: maxWaitS, minDelay: 1, maxDelay: 5 }, { TableName: table });
  } catch (err) {
    throw translateError(table, err);
  }
  return { created, description: (await describeTable(client, table))! };
}
