/**
 * dynalite (a real DynamoDB protocol peer, in memory) in-process on 127.0.0.1 with a random port, the
 * samples table created with the uploader's key schema, and helpers that write items in the uploader's
 * format (`deviceId` S, `tsMs` N, `schemaVersion` N, `v` M; catalogue at `tsMs = 0`).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import { FAKE_CREDENTIALS } from './s3rver.js';

export interface DynaliteHandle {
  endpoint: string;
  table: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

export async function startDynalite(table = 'sensor-samples'): Promise<DynaliteHandle> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'deviceId', AttributeType: 'S' },
        { AttributeName: 'tsMs', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'deviceId', KeyType: 'HASH' },
        { AttributeName: 'tsMs', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    endpoint,
    table,
    client,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One item per instant: every sample of `deviceId` at that tsMs in its `v` map (uploader format). */
export function samplesToItems(deviceId: string, samples: readonly Sample[]): Array<Record<string, AttributeValue>> {
  const byTs = new Map<number, Record<string, AttributeValue>>();
  for (const s of samples) {
    let v = byTs.get(s.tsMs);
    if (!v) byTs.set(s.tsMs, (v = {}));
    v[s.seriesId] = { N: String(s.value) };
  }
  return [...byTs.entries()].map(([tsMs, v]) => ({ deviceId: { S: deviceId }, tsMs: { N: String(tsMs) }, schemaVersion: { N: '1' }, v: { M: v } }));
}

/** Write items with BatchWriteItem, 25 per request, resending UnprocessedItems. */
export async function writeItems(client: DynamoDBClient, table: string, items: ReadonlyArray<Record<string, AttributeValue>>): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/** Put the device's catalogue item (tsMs 0), optionally with a backfill marker. */
export async function writeCatalog(client: DynamoDBClient, table: string, deviceId: string, series: readonly SeriesInfo[], backfillFromMs?: number): Promise<void> {
  const m: Record<string, AttributeValue> = {};
  for (const s of series) m[s.seriesId] = { M: { sensorId: { S: s.sensorId }, metric: { S: s.metric }, unit: { S: s.unit }, kind: { S: s.kind } } };
  const item: Record<string, AttributeValue> = { deviceId: { S: deviceId }, tsMs: { N: '0' }, schemaVersion: { N: '1' }, series: { M: m } };
  if (backfillFromMs !== undefined) item.backfillFromMs = { N: String(backfillFromMs) };
  await client.send(new PutItemCommand({ TableName: table, Item: item }));
}
