/**
 * AWS Lambda response-streaming adapter for a function URL (`InvokeMode: RESPONSE_STREAM`): the cloud's
 * live push channel for `/samples/refresh/{id}/events`, since API Gateway buffers responses. The event
 * is the function URL's payload v2 (same shape as HTTP API v2); the core's `Response` body is written
 * to the response stream chunk by chunk as it is produced ("Configuring a Lambda function to stream
 * responses", Lambda developer guide).
 *
 * The runtime provides `awslambda.streamifyResponse` and `awslambda.HttpResponseStream.from`; the
 * entry file passes them in, so this module has no runtime globals and can be tested with a plain stream.
 */
import type { Writable } from 'node:stream';
import { ApiError } from '../api/errors.js';
import { errorResponse } from '../api/http.js';
import type { FetchHandler } from '../api/create-api.js';
import { eventToRequest, type ApiGatewayV2Event } from './lambda-http-api.js';

/** `awslambda.HttpResponseStream.from`: writes the status/headers prelude, returns the body stream. */
export type HttpResponseStreamFrom = (stream: Writable, prelude: { statusCode: number; headers: Record<string, string> }) => Writable;

/** Write `response` to `stream`: prelude, then each body chunk as it arrives, then end. */
async function pipeResponse(response: Response, stream: Writable, from: HttpResponseStreamFrom): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const body = from(stream, { statusCode: response.status, headers });
  if (response.body) {
    const reader = response.body.getReader();
    body.on('close', () => void reader.cancel().catch(() => undefined));
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (!body.write(r.value)) await new Promise((resolve) => body.once('drain', resolve));
    }
  }
  await new Promise<void>((resolve) => body.end(resolve));
}

/**
 * A streaming handler over the API; wrap it with `awslambda.streamifyResponse` in the entry file.
 * `getApi` is called once (lazy imports, reused clients); build the API with `sseMode: 'stream'`.
 */
export function lambdaStreamHandler(getApi: () => FetchHandler | Promise<FetchHandler>, from: HttpResponseStreamFrom) {
  let api: Promise<FetchHandler> | undefined;
  return async (event: ApiGatewayV2Event, responseStream: Writable): Promise<void> => {
    api ??= Promise.resolve(getApi()).catch((err: unknown) => {
      api = undefined;
      throw err;
    });
    let request: Request;
    try {
      request = eventToRequest(event);
    } catch {
      return pipeResponse(errorResponse(new ApiError(400, 'bad_parameter', 'the request URL or headers cannot be parsed', 'url')), responseStream, from);
    }
    return pipeResponse(await (await api)(request), responseStream, from);
  };
}
