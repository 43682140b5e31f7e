/**
 * The doctor's cloud probe (an adapter: the AWS SDK). See `probeCloud`.
 */
import type { CloudOutcome, DoctorFacts } from '../agent/doctor/doctor.js';
import { createDynamoClient, type Env } from './clients.js';

/** Budget of the cloud probe, ms. */
export const CLOUD_TIMEOUT_MS = 3_000;

function classify(err: unknown): { outcome: CloudOutcome; message: string } {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const name = e.name ?? '';
  const message = (e.message ?? String(err)).split('\n')[0];
  if (name === 'AccessDeniedException') return { outcome: 'denied', message };
  if (name === 'ResourceNotFoundException') return { outcome: 'no-table', message };
  if (name === 'CredentialsProviderError') return { outcome: 'no-credentials', message };
  if (['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'InvalidClientTokenId', 'MissingAuthenticationTokenException'].includes(name)) {
    return { outcome: 'bad-credentials', message };
  }
  const code = e.code ?? e.cause?.code ?? '';
  if (name === 'AbortError' || name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH/.test(code + message)) {
    return { outcome: 'unreachable', message };
  }
  return { outcome: 'error', message: `${name}: ${message}` };
}

/**
 * `sensorctl doctor`'s cloud check: DescribeTable with a short timeout (`CLOUD_TIMEOUT_MS`), through
 * `createDynamoClient` (endpoint overrides from `AWS_ENDPOINT_URL_DYNAMODB`; errors scrubbed of
 * credentials, `redact.ts`). Never throws: every failure is an outcome with a one-line message.
 */
export async function probeCloud(cloud: { table?: unknown; region?: unknown }, env: Env = process.env): Promise<DoctorFacts['cloud']> {
  const table = typeof cloud.table === 'string' ? cloud.table : '';
  const region = (typeof cloud.region === 'string' && cloud.region) || env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
  if (!table) return { table: '(unset)', region, outcome: 'error', message: 'cloud.table is not set' };
  if (!region) return { table, region: '(unset)', outcome: 'error', message: 'no region: set cloud.region or AWS_REGION' };
  const { DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
  const client = createDynamoClient(env, { region, maxAttempts: 1 });
  try {
    await client.config.credentials();
  } catch (err) {
    client.destroy();
    return { table, region, outcome: 'no-credentials', message: (err as Error).message.split('\n')[0] };
  }
  try {
    await client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: AbortSignal.timeout(CLOUD_TIMEOUT_MS) });
    return { table, region, outcome: 'ok', message: '' };
  } catch (err) {
    return { table, region, ...classify(err) };
  } finally {
    client.destroy();
  }
}
