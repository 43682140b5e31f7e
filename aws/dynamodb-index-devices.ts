/**
 * One-off migration of the samples table: catalogue items (`tsMs` 0) written by agents older than the
 * device index carry no `entity` attribute, so the sparse GSI `devices` never lists them and the cloud
 * builder never builds them. `indexOldCatalogs` finds them with a paginated Scan (filter `tsMs = 0`;
 * a Scan reads, and bills, every item: about 17,000 read units per million 4-series sample items of
 * 141 B, eventually consistent, ≈ $0.002 on demand at $0.125 per million read units) and sets
 * `entity = "catalog"` on each with a conditional UpdateItem that never creates an item and never
 * touches one already set. Idempotent: a second run updates 0.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
 */
import { ScanCommand, UpdateItemCommand, type DynamoDBClient, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { CATALOG_ENTITY, CATALOG_TS_MS, ENTITY_ATTRIBUTE, PARTITION_KEY, SORT_KEY } from './dynamodb-item.js';
import { translateError } from './dynamodb-sink.js';
import type { UploadError } from '../agent/upload/errors.js';

/** Counts of a run so far. */
export interface IndexDevicesProgress {
  /** Items the Scan read (and billed). */
  scanned: number;
  /** Catalogue items (`tsMs` 0) found. */
  catalogs: number;
  /** Catalogue items given `entity` now (0 with `dryRun`). */
  updated: number;
  /** Catalogue items without `entity` (with `dryRun`: what a run would update). */
  missing: number;
  /** Catalogue items that already had it (or got it meanwhile). */
  alreadySet: number;
  /** Read capacity units the Scan consumed, as DynamoDB reported them. */
  readUnits: number;
}

/** The migration stopped on an AWS error; `progress` says how far it got, `cause` is the translated error. */
export class IndexDevicesError extends Error {
  constructor(readonly progress: IndexDevicesProgress, override readonly cause: UploadError) {
    super(cause.message, { cause });
    this.name = new.target.name;
  }
}

const isConditionFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * Set `entity = "catalog"` on every catalogue item of `table` that lacks it (see top). `onPage` gets
 * the counts after each Scan page. @throws {IndexDevicesError} on any AWS error (credentials redacted).
 */
export async function indexOldCatalogs(
  client: DynamoDBClient,
  table: string,
  options: { dryRun?: boolean; onPage?: (p: IndexDevicesProgress) => void } = {},
): Promise<IndexDevicesProgress> {
  const p: IndexDevicesProgress = { scanned: 0, catalogs: 0, updated: 0, missing: 0, alreadySet: 0, readUnits: 0 };
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  try {
    do {
      const out: ScanCommandOutput = await client.send(new ScanCommand({
        TableName: table,
        FilterExpression: '#ts = :catalogTs',
        ProjectionExpression: '#d, #e',
        ExpressionAttributeNames: { '#ts': SORT_KEY, '#d': PARTITION_KEY, '#e': ENTITY_ATTRIBUTE },
        ExpressionAttributeValues: { ':catalogTs': { N: String(CATALOG_TS_MS) } },
        ReturnConsumedCapacity: 'TOTAL',
        ExclusiveStartKey: startKey,
      }));
      p.scanned += out.ScannedCount ?? 0;
      p.readUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of out.Items ?? []) {
        p.catalogs++;
        const deviceId = item[PARTITION_KEY]?.S;
        if (item[ENTITY_ATTRIBUTE] !== undefined || deviceId === undefined) {
          p.alreadySet++;
          continue;
        }
        p.missing++;
        if (options.dryRun) continue;
        if (await setEntity(client, table, deviceId)) p.updated++;
        else p.alreadySet++;
      }
      options.onPage?.({ ...p });
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  } catch (err) {
    throw new IndexDevicesError({ ...p }, translateError(table, err));
  }
  return p;
}

/** Conditional UpdateItem of one catalogue item; false when it had `entity` meanwhile or is gone. */
async function setEntity(client: DynamoDBClient, table: string, deviceId: string): Promise<boolean> {
  try {
    await client.send(new UpdateItemCommand({
      TableName: table,
      Key: { [PARTITION_KEY]: { S: deviceId }, [SORT_KEY]: { N: String(CATALOG_TS_MS) } },
      UpdateExpression: 'SET #e = :catalog',
      ConditionExpression: 'attribute_exists(#d) AND attribute_not_exists(#e)',
      ExpressionAttributeNames: { '#e': ENTITY_ATTRIBUTE, '#d': PARTITION_KEY },
      ExpressionAttributeValues: { ':catalog': { S: CATALOG_ENTITY } },
    }));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
