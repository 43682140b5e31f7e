/**
 * dynalite (a real DynamoDB protocol peer) started in-process on 127.0.0.1 with a random port, for
 * tests and the benchmarks, with the samples table created (`TABLE_DEFINITION`) and helpers that write
 * items with the uploader's encoder (`aws/dynamodb-item.ts`). Tables become ACTIVE at once. In memory
 * by default; with `path` the data lives in a LevelDB directory, so `pause()` + `resume()` is a real
 * stop and restart of the emulator on the same port with the same data.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { BatchWriteItemCommand, CreateTableCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import { createDynamoClient } from '../../aws/clients.js';
import { createTableInput, encodeCatalogItem, encodeSampleItem, type Item } from '../../aws/dynamodb-item.js';
import { UPLOAD_CLIENT_OPTIONS } from '../../aws/dynamodb-sink.js';
import { DEFAULT_TABLE_NAME } from '../../agent/config/upload-config.js';
import { MAX_BATCH_ITEMS } from '../../agent/upload/ports.js';
import { FAKE_CREDENTIALS } from './s3rver.js';

export interface DynaliteHandle {
  endpoint: string;
  port: number;
  /** The samples table created at start. */
  table: string;
  /** A client on this dynalite with the SDK's default retries; destroyed by `close()`. */
  client: DynamoDBClient;
  /**
   * A new client configured like the Pi's uploader (`UPLOAD_CLIENT_OPTIONS`: one attempt per request;
   * here 5 s per request, 1 s to connect), pointed at this dynalite or at `endpoint` (e.g. a fault
   * proxy in front). The caller destroys it.
   */
  uploadClient(endpoint?: string): DynamoDBClient;
  /** Stop the emulator (connections refused). Needs `path` to keep the data for `resume`. */
  pause(): Promise<void>;
  /** Start it again on the same port. */
  resume(): Promise<void>;
  /** Destroy `client` and stop the emulator. */
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function stop(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Start dynalite on 127.0.0.1 and create the samples table `table` (default `DEFAULT_TABLE_NAME`).
 * `port` 0 (default) = random; `path` = a LevelDB directory instead of memory.
 */
export async function startDynalite(options: { table?: string; port?: number; path?: string } = {}): Promise<DynaliteHandle> {
  const make = () => dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  let server = make();
  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const table = options.table ?? DEFAULT_TABLE_NAME;
  const client = createDynamoClient({}, { endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  await client.send(
    new CreateTableCommand(createTableInput(table)),
  );
  return {
    endpoint,
    port,
    table,
    client,
    uploadClient: (target = endpoint) =>
      createDynamoClient({}, { ...UPLOAD_CLIENT_OPTIONS, region: 'us-east-1', endpoint: target, credentials: FAKE_CREDENTIALS, requestTimeoutMs: 5_000, connectionTimeoutMs: 1_000 }),
    pause: () => stop(server),
    resume: async () => {
      await new Promise((r) => setTimeout(r, 50)); // let LevelDB release its lock
      server = make();
      await listen(server, port);
    },
    close: async () => {
      client.destroy();
      await stop(server);
    },
  };
}

/** One sample item per instant: every sample of `deviceId` at that tsMs, encoded as the uploader does. */
export function samplesToItems(deviceId: string, samples: readonly Sample[]): Item[] {
  const byTs = new Map<number, Record<string, number>>();
  for (const sample of samples) {
    let values = byTs.get(sample.tsMs);
    if (!values) byTs.set(sample.tsMs, (values = {}));
    values[sample.seriesId] = sample.value;
  }
  return [...byTs.entries()].map(([tsMs, values]) => encodeSampleItem(deviceId, tsMs, values).item);
}

/** Write items with BatchWriteItem, `MAX_BATCH_ITEMS` per request, resending UnprocessedItems. */
export async function writeItems(client: DynamoDBClient, table: string, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += MAX_BATCH_ITEMS) {
    let requests = items.slice(i, i + MAX_BATCH_ITEMS).map((item) => ({ PutRequest: { Item: item as Record<string, AttributeValue> } }));
    while (requests.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/** Put the device's catalogue item (tsMs 0), encoded as the uploader does, optionally with a backfill marker. */
export async function writeCatalog(client: DynamoDBClient, table: string, deviceId: string, series: readonly SeriesInfo[], backfillFromMs?: number): Promise<void> {
  await client.send(new PutItemCommand({ TableName: table, Item: encodeCatalogItem(deviceId, series, backfillFromMs) as Record<string, AttributeValue> }));
}
