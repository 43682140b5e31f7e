/**
 * AWS SDK v3 clients for the cloud entries, built from an environment map (the composition root passes
 * `process.env`). Endpoints follow the SDK's service-specific variables: `AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`, else `AWS_ENDPOINT_URL`. Whenever the S3 endpoint is overridden
 * (s3rver, MinIO, LocalStack) the client uses path-style addressing, which those stores need.
 * Create each client once per process / Lambda container and reuse it. Composition roots (cloud/, pi/,
 * cli/) are the only callers. Every client scrubs credentials from the errors it throws (`redact.ts`).
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { envSecrets, redactClientErrors } from './redact.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** The S3 endpoint override, if any. */
export const s3EndpointOf = (env: Env): string | undefined => env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
/** The DynamoDB endpoint override, if any. */
export const dynamoEndpointOf = (env: Env): string | undefined => env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL || undefined;

export function createS3Client(env: Env): S3Client {
  const endpoint = s3EndpointOf(env);
  return redactClientErrors(new S3Client({
    endpoint,
    forcePathStyle: endpoint !== undefined,
    // S3-compatible stores reject or mis-store the SDK's default flexible checksums; AWS needs none for these calls.
    ...(endpoint !== undefined ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
  }), envSecrets(env));
}

/** Settings of a DynamoDB client beyond what the environment gives; unset ones keep the SDK's defaults. */
export interface DynamoClientOptions {
  /** AWS region; unset = the SDK's chain (`AWS_REGION`, shared config). */
  region?: string;
  /** Explicit endpoint (tests, a fault proxy); wins over the environment's. */
  endpoint?: string;
  /** Static credentials (tests only); otherwise the SDK's default chain. */
  credentials?: DynamoDBClientConfig['credentials'];
  /** Attempts per request, first included; unset = the SDK's (3). The uploader passes 1: it retries itself. */
  maxAttempts?: number;
  /** Longest wait for a response, ms; unset = none. */
  requestTimeoutMs?: number;
  /** Longest wait to connect, ms; unset = none. */
  connectionTimeoutMs?: number;
}

/**
 * DynamoDB client: endpoint `options.endpoint`, else the environment's override (`dynamoEndpointOf`),
 * else AWS. The Pi's uploader passes `UPLOAD_CLIENT_OPTIONS` (`dynamodb-sink.ts`); the Lambdas pass none.
 */
export function createDynamoClient(env: Env, options: DynamoClientOptions = {}): DynamoDBClient {
  const hasTimeouts = options.requestTimeoutMs !== undefined || options.connectionTimeoutMs !== undefined;
  return redactClientErrors(new DynamoDBClient({
    endpoint: options.endpoint ?? dynamoEndpointOf(env),
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(hasTimeouts ? { requestHandler: { requestTimeout: options.requestTimeoutMs, connectionTimeout: options.connectionTimeoutMs } } : {}),
  }), envSecrets(env));
}

/** The SQS endpoint override, if any. */
export const sqsEndpointOf = (env: Env): string | undefined => env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || undefined;

/**
 * SQS client. With an endpoint override (fauxqs, LocalStack) requests go to that endpoint rather than
 * to the host named in the queue URL (`useQueueUrlAsEndpoint: false`), since local peers answer with
 * queue URLs whose host does not resolve.
 */
export function createSqsClient(env: Env): SQSClient {
  const endpoint = sqsEndpointOf(env);
  return redactClientErrors(new SQSClient({ endpoint, ...(endpoint !== undefined ? { useQueueUrlAsEndpoint: false } : {}) }), envSecrets(env));
}
