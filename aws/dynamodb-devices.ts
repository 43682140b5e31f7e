/**
 * Fleet discovery on the samples table: the devices that have a catalogue item, read from the sparse
 * global secondary index `DEVICE_INDEX_NAME` (partition `entity = "catalog"`, sort `deviceId`, keys
 * only; `dynamodb-item.ts`). One paginated Query: about 40 bytes per device, so 1,000 devices cost
 * ≈ 5 read units per listing, however many samples the table holds (a Scan would read all of them).
 * The index is eventually consistent: a device whose first catalogue was written a moment ago may
 * appear at the next listing.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html
 */
import { QueryCommand, type DynamoDBClient, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { ID_PATTERN } from '../builder/constants.js';
import { CATALOG_ENTITY, DEVICE_INDEX_NAME, ENTITY_ATTRIBUTE, PARTITION_KEY } from './dynamodb-item.js';
import { redactAwsSecrets } from './redact.js';

/** The device index could not be read; the message names the table and the SDK error (secrets redacted). */
export class DeviceDiscoveryError extends Error {
  constructor(readonly table: string, message: string, options?: ErrorOptions) {
    super(`devices of table ${table}: ${message}`, options);
    this.name = new.target.name;
  }
}

/**
 * Ids of every device with a catalogue item in `table`, sorted, unique; ids not matching `ID_PATTERN`
 * are skipped (they could not be built nor served). Follows `LastEvaluatedKey` to the end.
 * @throws {DeviceDiscoveryError} when a Query fails (missing index, access denied, network).
 */
export async function listCatalogDeviceIds(client: DynamoDBClient, table: string): Promise<string[]> {
  const ids = new Set<string>();
  let startKey: QueryCommandOutput['LastEvaluatedKey'];
  do {
    let out: QueryCommandOutput;
    try {
      out = await client.send(new QueryCommand({
        TableName: table,
        IndexName: DEVICE_INDEX_NAME,
        KeyConditionExpression: '#e = :catalog',
        ExpressionAttributeNames: { '#e': ENTITY_ATTRIBUTE, '#d': PARTITION_KEY },
        ExpressionAttributeValues: { ':catalog': { S: CATALOG_ENTITY } },
        ProjectionExpression: '#d',
        ExclusiveStartKey: startKey,
      }));
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new DeviceDiscoveryError(table, `${e?.name ?? 'Error'}: ${redactAwsSecrets(e?.message ?? String(err))}`, { cause: err });
    }
    for (const item of out.Items ?? []) {
      const id = item[PARTITION_KEY]?.S;
      if (id !== undefined && ID_PATTERN.test(id)) ids.add(id);
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return [...ids].sort();
}
