/**
 * An HTTP proxy on 127.0.0.1 in front of a DynamoDB peer (dynalite) that injects the faults real
 * DynamoDB produces, per request, as decided by a `plan` function:
 * - `unprocessed`: forward only the first `keep` put requests of a BatchWriteItem and answer 200 with
 *   the others in `UnprocessedItems`, exactly as sent (field case 1: 24 of 25 unprocessed);
 * - `error`: answer a service error with the real status and `__type` (ThrottlingException,
 *   ProvisionedThroughputExceededException, InternalServerError, ValidationException, …);
 * - `drop`: destroy the connection without an answer (before forwarding, or after: then the write
 *   happened but the client cannot know);
 * - `reply`: answer 200 with `body` without forwarding (an operation the peer lacks, e.g.
 *   UpdateTimeToLive on dynalite);
 * - `delayMs`: hold the request before forwarding (to keep batches in flight).
 * Every BatchWriteItem is logged with its keys and its start/end times (for overlap checks).
 * This emulates the service's fault answers on top of a real protocol peer: dynalite itself never throttles.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'pass'; delayMs?: number }
  | { kind: 'unprocessed'; keep: number; delayMs?: number }
  | { kind: 'error'; status: number; type: string; delayMs?: number }
  | { kind: 'drop'; afterForward?: boolean; delayMs?: number }
  | { kind: 'reply'; body: unknown; delayMs?: number };

export interface ProxiedCall {
  /** DynamoDB operation, e.g. `BatchWriteItem`. */
  operation: string;
  /** Index of this call among calls of the same operation, from 0. */
  index: number;
  /** For BatchWriteItem: `deviceId#tsMs` of each put, in order. */
  keys: string[];
  body: any;
}

export interface CallRecord {
  operation: string;
  keys: string[];
  fault: Fault['kind'];
  startMs: number;
  endMs: number;
}

/** Service errors as DynamoDB spells them: status and `__type`. */
export const FAULTS = {
  throttling: { kind: 'error', status: 400, type: 'com.amazon.coral.availability#ThrottlingException' },
  provisioned: { kind: 'error', status: 400, type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException' },
  requestLimit: { kind: 'error', status: 400, type: 'com.amazonaws.dynamodb.v20120810#RequestLimitExceeded' },
  internal: { kind: 'error', status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' },
  validation: { kind: 'error', status: 400, type: 'com.amazon.coral.validate#ValidationException' },
} as const satisfies Record<string, Fault>;

export interface FaultProxy {
  endpoint: string;
  calls: CallRecord[];
  /** Replace the fault plan. */
  setPlan(plan: (call: ProxiedCall) => Fault): void;
  stop(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function putKeys(body: any): string[] {
  const requests = Object.values(body?.RequestItems ?? {})[0] as Array<{ PutRequest?: { Item: any } }> | undefined;
  return (requests ?? []).map((r) => `${r.PutRequest?.Item?.deviceId?.S}#${r.PutRequest?.Item?.tsMs?.N}`);
}

/** Start a proxy to `targetEndpoint` (e.g. dynalite's). Default plan: pass everything. */
export async function startFaultProxy(targetEndpoint: string, plan: (call: ProxiedCall) => Fault = () => ({ kind: 'pass' })): Promise<FaultProxy> {
  const target = new URL(targetEndpoint);
  const counts = new Map<string, number>();
  const calls: CallRecord[] = [];
  let current = plan;

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, async (res) => {
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: await readBody(res) });
      });
      out.on('error', reject);
      out.end(body);
    });

  const reply = (res: ServerResponse, status: number, json: unknown) => {
    const text = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': 'fault-proxy' });
    res.end(text);
  };

  const server: Server = createServer(async (req, res) => {
    const startMs = Date.now();
    const raw = await readBody(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const index = counts.get(operation) ?? 0;
    counts.set(operation, index + 1);
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      body = {};
    }
    const keys = operation === 'BatchWriteItem' ? putKeys(body) : [];
    const fault = current({ operation, index, keys, body });
    const record: CallRecord = { operation, keys, fault: fault.kind, startMs, endMs: startMs };
    if (operation === 'BatchWriteItem') calls.push(record);
    try {
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.kind === 'drop' && !fault.afterForward) return req.socket.destroy();
      if (fault.kind === 'error') return reply(res, fault.status, { __type: fault.type, message: `injected ${fault.type.split('#')[1]}` });
      if (fault.kind === 'reply') return reply(res, 200, fault.body);
      if (fault.kind === 'unprocessed') {
        const table = Object.keys(body.RequestItems)[0];
        const all = body.RequestItems[table] as unknown[];
        const sent = { ...body, RequestItems: { [table]: all.slice(0, fault.keep) } };
        const r = fault.keep > 0 ? await forward(req, Buffer.from(JSON.stringify(sent))) : { status: 200 };
        if (r.status !== 200) throw new Error(`upstream answered ${r.status}`);
        return reply(res, 200, { UnprocessedItems: all.length > fault.keep ? { [table]: all.slice(fault.keep) } : {} });
      }
      const r = await forward(req, raw);
      if (fault.kind === 'drop') return req.socket.destroy();
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    } catch {
      req.socket.destroy(); // upstream down: the client sees a dropped connection
    } finally {
      record.endMs = Date.now();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    setPlan: (p) => (current = p),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
