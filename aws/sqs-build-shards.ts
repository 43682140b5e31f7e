/**
 * SQS adapter of the builder's shard queue (`BuildShards` in cloud/builder-handler.ts): one message per
 * shard of devices, body = the job as `lambda-events.ts` parses it (`{"windows":[…],"full":false,
 * "deviceIds":[…],"shard":true}`), sent with SendMessageBatch, 10 entries per request (the API's limit).
 * The builder Lambda consumes the queue (one message per invocation) and builds each shard.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { redactAwsSecrets } from './redact.js';

/** One shard's job (a `BuildJob` of cloud/lambda-events.ts fits): windows by name, its devices. */
export interface ShardJob {
  windows: readonly string[];
  full: boolean;
  deviceIds?: readonly string[];
}

/** Entries per SendMessageBatch request (SQS maximum). */
export const SQS_BATCH_ENTRIES = 10;

/** Some shards could not be queued; the message names how many and the first reason. */
export class ShardSendError extends Error {
  constructor(readonly queueUrl: string, readonly failedShards: number, message: string, options?: ErrorOptions) {
    super(`${failedShards} shard(s) not queued on ${queueUrl}: ${message}`, options);
    this.name = new.target.name;
  }
}

/**
 * Send one message per job to `queueUrl`, `SQS_BATCH_ENTRIES` per request.
 * @throws {ShardSendError} when a request fails or SQS reports failed entries (the others are queued).
 */
export async function sendBuildShards(sqs: SQSClient, queueUrl: string, jobs: readonly ShardJob[]): Promise<void> {
  let failed = 0;
  let firstReason: string | undefined;
  for (let i = 0; i < jobs.length; i += SQS_BATCH_ENTRIES) {
    const batch = jobs.slice(i, i + SQS_BATCH_ENTRIES);
    try {
      const out = await sqs.send(new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((job, k) => ({ Id: `shard-${i + k}`, MessageBody: JSON.stringify({ windows: job.windows, full: job.full, deviceIds: job.deviceIds, shard: true }) })),
      }));
      failed += out.Failed?.length ?? 0;
      firstReason ??= out.Failed?.[0] ? `${out.Failed[0].Code}: ${out.Failed[0].Message ?? ''}` : undefined;
    } catch (err) {
      failed += batch.length;
      firstReason ??= redactAwsSecrets((err as Error)?.message ?? String(err));
    }
  }
  if (failed > 0) throw new ShardSendError(queueUrl, failed, firstReason ?? 'unknown');
}
