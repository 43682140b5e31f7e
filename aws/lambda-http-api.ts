/**
 * AWS Lambda adapter of the fetch-shaped API for API Gateway HTTP APIs, payload format 2.0
 * ("Working with AWS Lambda proxy integrations for HTTP APIs", API Gateway developer guide):
 * the event becomes a `Request`, the `Response` a proxy result; gzip and other binary bodies travel
 * base64-encoded (`isBase64Encoded`).
 *
 * API Gateway buffers whole responses, so the API behind it must run with `sseMode: 'snapshot'`:
 * the events route then answers the events so far and a `poll` hint, and `EventSource` reconnects
 * with `Last-Event-ID` (polling the status URL works too). The cloud's live push channel is a Lambda
 * function URL with response streaming (`awslambda.streamifyResponse`), which can pipe the same
 * core's `text/event-stream` body as it is written.
 */
import { Buffer } from 'node:buffer';
import { ApiError } from '../api/errors.js';
import { errorResponse } from '../api/http.js';
import type { FetchHandler } from '../api/create-api.js';

/** The fields of an HTTP API payload v2 event this adapter reads. */
export interface ApiGatewayV2Event {
  version: '2.0';
  rawPath: string;
  rawQueryString: string;
  headers?: Record<string, string | undefined>;
  cookies?: string[];
  body?: string;
  isBase64Encoded: boolean;
  requestContext: { http: { method: string; path?: string }; domainName?: string };
}

/** A proxy result (payload v2). */
export interface ApiGatewayV2Result {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** Content types sent as UTF-8 text (everything else, and every encoded body, goes base64). */
const TEXT_TYPE = /^(text\/|application\/json)/;

/** Convert an event to a `Request`. @throws {TypeError} when the path or headers cannot be parsed. */
export function eventToRequest(event: ApiGatewayV2Event): Request {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const url = new URL(`https://${event.requestContext.domainName ?? 'localhost'}${event.rawPath}${query}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value);
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const method = event.requestContext.http.method.toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== undefined;
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body) : undefined;
  return new Request(url, { method, headers, body });
}

/** Convert a `Response` to a proxy result, reading its whole body. */
export async function responseToResult(response: Response): Promise<ApiGatewayV2Result> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const bytes = Buffer.from(await response.arrayBuffer());
  const isText = TEXT_TYPE.test(headers['content-type'] ?? '') && !headers['content-encoding'];
  if (isText || bytes.byteLength === 0) return { statusCode: response.status, headers, body: bytes.toString('utf8'), isBase64Encoded: false };
  return { statusCode: response.status, headers, body: bytes.toString('base64'), isBase64Encoded: true };
}

/**
 * A Lambda handler over the API. `getApi` is called once, on the first event, so the entry file can
 * import SDK clients lazily and reuse them across invocations (small cold start).
 */
export function lambdaHandler(getApi: () => FetchHandler | Promise<FetchHandler>): (event: ApiGatewayV2Event) => Promise<ApiGatewayV2Result> {
  let api: Promise<FetchHandler> | undefined;
  return async (event) => {
    api ??= Promise.resolve(getApi()).catch((err: unknown) => {
      api = undefined; // build again on the next event instead of failing forever
      throw err;
    });
    let request: Request;
    try {
      request = eventToRequest(event);
    } catch {
      return responseToResult(errorResponse(new ApiError(400, 'bad_parameter', 'the request URL or headers cannot be parsed', 'url')));
    }
    return responseToResult(await (await api)(request));
  };
}
