/**
 * Starts fauxqs (a real SQS protocol peer, in memory; its README "Programmatic usage") in-process on
 * 127.0.0.1 with a random port, creates one queue, and builds an SDK SQS client for it (fake
 * credentials; `useQueueUrlAsEndpoint: false`, because fauxqs answers queue URLs whose host,
 * `sqs.<region>.<host>`, does not resolve here). Runs on Node.js 20 (fauxqs 1.9 declares `node >= 20`).
 */
import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { FAKE_CREDENTIALS } from './s3rver.js';

export interface FauxqsHandle {
  endpoint: string;
  queueUrl: string;
  queueArn: string;
  /** The dead-letter queue's URL, when one was asked for. */
  deadLetterQueueUrl?: string;
  client: SQSClient;
  /** Receive up to `max` messages (no long polling; waits at most `waitS` seconds). */
  receive(max?: number, waitS?: number): Promise<Message[]>;
  close(): Promise<void>;
}

/** Queue settings beyond the name: visibility timeout (default 30 s) and a dead-letter queue with its redrive count. */
export interface FauxqsQueueOptions {
  visibilityTimeoutS?: number;
  deadLetter?: { queueName: string; maxReceiveCount: number };
}

/** Start fauxqs with queue `queueName` (and its dead-letter queue, if asked); `close()` destroys the client and stops the server. */
export async function startFauxqsQueue(queueName = 'refresh-test', options: FauxqsQueueOptions = {}): Promise<FauxqsHandle> {
  const server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  const dlq = options.deadLetter ? server.createQueue(options.deadLetter.queueName) : undefined;
  const attributes: Record<string, string> = { VisibilityTimeout: String(options.visibilityTimeoutS ?? 30) };
  if (dlq) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: options.deadLetter!.maxReceiveCount });
  const { queueUrl, queueArn } = server.createQueue(queueName, { attributes });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS, useQueueUrlAsEndpoint: false });
  return {
    endpoint,
    queueUrl,
    queueArn,
    ...(dlq ? { deadLetterQueueUrl: dlq.queueUrl } : {}),
    client,
    async receive(max = 10, waitS = 0) {
      const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: waitS, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      return out.Messages ?? [];
    },
    async close() {
      client.destroy();
      await server.stop();
    },
  };
}

/** SQS messages as the Lambda event source delivers them (`Records[]` of an `aws:sqs` event). */
export function sqsEventOf(messages: readonly Message[], queueArn = 'arn:aws:sqs:us-east-1:000000000000:refresh-test') {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody!,
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}
