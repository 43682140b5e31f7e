/**
 * Credentials never leave an AWS error: every client of `aws/clients.ts` (DynamoDB, S3, SQS) and the
 * doctor's cloud probe against a real HTTP endpoint on 127.0.0.1 that echoes the request's
 * Authorization and X-Amz-Security-Token headers in its error body, as some proxies and emulators do.
 * Before the one redaction, such errors printed `Credential=AKIA…`, the raw `Signature=` and the
 * session token (issue 14: `run` logged AWS_SESSION_TOKEN 118 times and stored it in the upload state).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createDynamoClient, createS3Client, createSqsClient } from '../../aws/clients.js';
import { probeCloud } from '../../aws/cloud-probe.js';
import { redactAwsSecrets } from '../../aws/redact.js';
import { translateError } from '../../aws/dynamodb-sink.js';

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN0123456789abcdefXYZ';

let server: Server;
let endpoint = '';
const saved: Record<string, string | undefined> = {};

/** Everything an error shows a logger: message, stack, fields, nested causes. */
const shown = (err: unknown): string => `${(err as Error).message}\n${(err as Error).stack}\n${inspect(err, { depth: 5 })}\n${JSON.stringify(err)}`;

function assertClean(text: string, what: string): void {
  assert.ok(text.includes('echo'), `${what}: the endpoint's echo reached the error (${text.slice(0, 200)})`);
  for (const secret of [KEY_ID, SECRET, TOKEN]) assert.not.ok(text.includes(secret), `${what} shows ${secret.slice(0, 8)}…`);
  assert.not.match(text, /Signature=[0-9a-f]{16}/, `${what} shows a raw signature`);
}

const redact = suite('AWS errors are scrubbed of credentials');
redact.before(async () => {
  server = createServer((req, res) => {
    req.resume();
    const echo = `echo Authorization: ${req.headers.authorization} X-Amz-Security-Token: ${req.headers['x-amz-security-token']} secret=${SECRET}`;
    if (req.headers['x-amz-target'] || String(req.headers['content-type']).includes('json')) {
      res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: echo }));
    } else {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>${echo.replace(/&/g, '&amp;')}</Message></Error>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
redact.after(async () => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  await new Promise((resolve) => server.close(resolve));
});

redact('the pattern redaction covers key ids, SigV4 credential and signature, and token headers', () => {
  const text = redactAwsSecrets(`Credential=${KEY_ID}/20261204/us-east-1/dynamodb/aws4_request, Signature=0123456789abcdef0123 x-amz-security-token: ${TOKEN} ASIAEXAMPLEKEYID1234`);
  assert.not.ok(text.includes(KEY_ID));
  assert.not.ok(text.includes(TOKEN));
  assert.not.ok(text.includes('0123456789abcdef0123'));
  assert.not.ok(text.includes('ASIAEXAMPLEKEYID1234'));
});

redact('DynamoDB: the echoed Authorization, token and secret are gone from the error and from the uploader\'s translated error', async () => {
  const client = createDynamoClient(process.env, { maxAttempts: 1 });
  const err = await client.send(new DescribeTableCommand({ TableName: 'samples' })).then(() => undefined, (e: unknown) => e);
  assert.ok(err, 'the endpoint refused');
  assertClean(shown(err), 'DynamoDB error');
  assertClean(translateError('samples', err).message, 'UploadError');
});

redact('S3 (the fallback push and the cloud builder): the XML error message is scrubbed', async () => {
  const client = createS3Client(process.env);
  const err = await client.send(new GetObjectCommand({ Bucket: 'snapshots', Key: 'fallback/x.json' })).then(() => undefined, (e: unknown) => e);
  assert.ok(err, 'the endpoint refused');
  assertClean(shown(err), 'S3 error');
});

redact('SQS (refresh jobs): the error is scrubbed', async () => {
  const client = createSqsClient(process.env);
  const err = await client.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint}/000000000000/refresh` })).then(() => undefined, (e: unknown) => e);
  assert.ok(err, 'the endpoint refused');
  assertClean(shown(err), 'SQS error');
});

redact('doctor\'s cloud check reports bad credentials without showing them', async () => {
  const facts = await probeCloud({ table: 'samples', region: 'us-east-1' }, process.env);
  assert.is(facts?.outcome, 'bad-credentials');
  assertClean(JSON.stringify(facts), 'doctor cloud fact');
});

redact.run();
