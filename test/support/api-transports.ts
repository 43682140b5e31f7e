/**
 * Three ways to reach the same API core in tests: directly, over real HTTP on 127.0.0.1 through the
 * node:http adapter, and through the Lambda adapter with API Gateway HTTP API v2 events.
 * Responses come back as raw bytes (no automatic gunzip), so tests see exactly what was sent.
 */
import { request as httpRequest } from 'node:http';
import { lambdaHandler, type ApiGatewayV2Event } from '../../aws/lambda-http-api.js';
import { startNodeServer, type NodeHttpApiOptions } from '../../platform/node-http-api.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Transport {
  name: string;
  send(path: string, init?: SendInit): Promise<RawResponse>;
  close(): Promise<void>;
}

type Api = (req: Request) => Promise<Response>;

export function directTransport(api: Api): Transport {
  return {
    name: 'core',
    async send(path, init = {}) {
      const res = await api(new Request('http://localhost' + path, { method: init.method ?? 'GET', headers: init.headers, body: init.body }));
      return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
    },
    close: async () => undefined,
  };
}

/** One HTTP request with node:http; resolves with the whole raw body. */
export function httpSend(baseUrl: string, path: string, init: SendInit = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, baseUrl), { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        resolve({ status: res.statusCode!, headers, body: new Uint8Array(Buffer.concat(chunks)) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

export async function nodeTransport(api: Api, options: NodeHttpApiOptions = {}): Promise<Transport & { url: string }> {
  const server = await startNodeServer(api, '127.0.0.1', 0, options);
  return { name: 'node:http', url: server.url, send: (path, init) => httpSend(server.url, path, init), close: server.close };
}

/** The v2 event API Gateway sends for `path` (query split off, header names lowercased). */
export function v2Event(path: string, init: SendInit = {}): ApiGatewayV2Event {
  const [rawPath, ...rest] = path.split('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  const method = init.method ?? 'GET';
  return {
    version: '2.0', rawPath, rawQueryString: rest.join('?'), headers,
    requestContext: { http: { method, path: rawPath }, domainName: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    ...(init.body !== undefined ? { body: Buffer.from(init.body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

export function lambdaTransport(api: Api): Transport {
  const handler = lambdaHandler(() => api);
  return {
    name: 'lambda',
    async send(path, init) {
      const result = await handler(v2Event(path, init));
      const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
      return { status: result.statusCode, headers: new Headers(result.headers), body: new Uint8Array(body) };
    },
    close: async () => undefined,
  };
}
