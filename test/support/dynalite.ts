/**
 * dynalite (a DynamoDB protocol implementation on LevelDB) started in-process on 127.0.0.1 with a
 * random port, for tests and the benchmark. Tables become ACTIVE at once. In memory by default; with
 * `path` the data lives in a LevelDB directory, so `pause()` + `resume()` is a real stop and restart
 * of the emulator on the same port with the same data.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../aws/dynamodb-sink.js';

/** Fake credentials: dynalite checks that a signature is present, not what it is. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export interface RunningDynalite {
  endpoint: string;
  port: number;
  /** A client pointed at this dynalite (or at `endpoint` when given, e.g. a proxy in front). */
  client(endpoint?: string): DynamoDBClient;
  /** Stop the emulator (connections refused). Needs `path` to keep the data for `resume`. */
  pause(): Promise<void>;
  /** Start it again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Start dynalite on 127.0.0.1 (`port` 0 = random). */
export async function startDynalite(options: { port?: number; path?: string } = {}): Promise<RunningDynalite> {
  const make = () => dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  let server = make();
  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    client: (ep = endpoint) => createDynamoClient({ region: 'us-east-1', endpoint: ep, credentials: FAKE_CREDENTIALS, requestTimeoutMs: 5_000, connectionTimeoutMs: 1_000 }),
    pause: () => close(server),
    resume: async () => {
      await new Promise((r) => setTimeout(r, 50)); // let LevelDB release its lock
      server = make();
      await listen(server, port);
    },
    stop: () => close(server),
  };
}
