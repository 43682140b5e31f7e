/**
 * Composition root of the API Lambda (Node.js 24 on Lambda, bundled by cloud/infra/lambda-code.ts `bundleLambda` to
 * `index.mjs`, handler `index.handler`).
 * - `handler`: API Gateway HTTP API, payload format 2.0. The core runs in `sseMode: 'snapshot'` (API
 *   Gateway buffers responses, so the events route answers what has happened so far plus a `poll` hint).
 *   The keep-warm event `{"source":"sensorctl.keep-warm"}` is answered at once.
 * - `streamHandler`: the same API for a function URL with `InvokeMode: RESPONSE_STREAM`, core in
 *   `sseMode: 'stream'` (live Server-Sent Events); defined only inside the Lambda runtime, which
 *   provides `awslambda.streamifyResponse`.
 * Cold start: the wiring (SDK clients, S3 store, builder core) is imported on the first request with
 * `import()`, and built once per container; clients are reused by every later invocation.
 * Environment: see `cloud/api-wiring.ts`.
 */
import type { Writable } from 'node:stream';
import type { FetchHandler } from '../api/create-api.js';
import { lambdaHandler, type ApiGatewayV2Event, type ApiGatewayV2Result } from '../aws/lambda-http-api.js';
import { lambdaStreamHandler, type HttpResponseStreamFrom } from '../aws/lambda-stream-api.js';
import type { SseMode } from '../api/ports.js';
import type { Env } from '../aws/clients.js';
import type { Clock } from '../builder/ports.js';

/** The keep-warm schedule's event (equal to `KEEP_WARM_EVENT` in cloud/infra/sensor-stack.ts). */
export const KEEP_WARM_SOURCE = 'sensorctl.keep-warm';

/** Whether `event` is the keep-warm ping. */
export const isKeepWarm = (event: unknown): boolean => (event as { source?: unknown } | null)?.source === KEEP_WARM_SOURCE;

/** Build the API from `env` (lazy imports; one set of clients per call). `clock`: the wall clock unless given (the local cloud's page tests render a fixture's past). */
export async function apiFromEnv(env: Env, sseMode: SseMode, clock?: Clock): Promise<FetchHandler> {
  const [{ cloudApiConfig, createCloudApi }, clients, { runBuild }, { lambdaLogger }, { API_SERVICE_NAME }] = await Promise.all([
    import('./api-wiring.js'),
    import('../aws/clients.js'),
    import('../builder/run-build.js'),
    import('../aws/lambda-logger.js'),
    import('../aws/metric-names.js'),
  ]);
  const config = cloudApiConfig(env);
  const c = { s3: clients.createS3Client(env), dynamo: clients.createDynamoClient(env), sqs: clients.createSqsClient(env) };
  return createCloudApi(config, c, { sseMode, build: runBuild, log: lambdaLogger(API_SERVICE_NAME, env.LOG_LEVEL), ...(clock ? { clock } : {}) }).api;
}

/** What the keep-warm ping answers. */
export interface KeepWarmResult {
  warm: true;
}

/** The HTTP API handler over an API factory (exported for tests; `handler` below uses `process.env`). */
export function createHttpEntry(getApi: () => Promise<FetchHandler>): (event: unknown) => Promise<ApiGatewayV2Result | KeepWarmResult> {
  const http = lambdaHandler(getApi);
  return async (event) => (isKeepWarm(event) ? { warm: true } : http(event as ApiGatewayV2Event));
}

/** API Gateway HTTP API entry (`index.handler`). */
export const handler = createHttpEntry(() => apiFromEnv(process.env, 'snapshot'));

/** The runtime globals response streaming needs (present only inside AWS Lambda). */
interface LambdaStreamingGlobals {
  streamifyResponse(fn: (event: ApiGatewayV2Event, stream: Writable) => Promise<void>): unknown;
  HttpResponseStream: { from: HttpResponseStreamFrom };
}

const runtime = (globalThis as { awslambda?: LambdaStreamingGlobals }).awslambda;

/** Function URL entry with response streaming (`index.streamHandler`); `undefined` outside Lambda. */
export const streamHandler = typeof runtime?.streamifyResponse === 'function'
  ? runtime.streamifyResponse(lambdaStreamHandler(() => apiFromEnv(process.env, 'stream'), (s, p) => runtime!.HttpResponseStream.from(s, p)))
  : undefined;
