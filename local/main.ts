/**
 * `npm run cloud:local [-- --seed-demo] [--devices a,b] [--port N] [--log-level L]`: start the cloud
 * on one machine (local/cloud-local.ts, docs/cloud-local.md), print where it is, run until Ctrl-C.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { listenErrorMessage } from '../platform/node-http-api.js';
import { createLogger, isLogLevel } from '../cli/log.js';
import { LOCAL_NAMES, startLocalCloud } from './cloud-local.js';

const USAGE = `usage: npm run cloud:local -- [--seed-demo] [--devices ID[,ID…]] [--port N] [--log-level error|warn|info|debug]
  --seed-demo    push a day of simulated samples (one a minute) for the first device, then one a minute live
  --devices      the stack's deviceIds (default demo)
  --port         the router's port on 127.0.0.1 (default 0: any free port)`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        'seed-demo': { type: 'boolean', default: false },
        devices: { type: 'string', default: 'demo' },
        port: { type: 'string', default: '0' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) return void process.stdout.write(`${USAGE}\n`);
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--port ${args.port}: expected a port number 0–65535 (0: any free port)\n`);
    process.exit(2);
  }
  const level = args['log-level'];
  if (!isLogLevel(level)) {
    process.stderr.write(`--log-level ${level}: expected error, warn, info or debug\n`);
    process.exit(2);
  }
  const deviceIds = args.devices!.split(',').map((s) => s.trim()).filter(Boolean);
  // Before seeding and building (seconds of work): a port that cannot be had is said at once.
  const refused = port === 0 ? undefined : await portRefusal(port);
  if (refused) {
    process.stderr.write(`cloud:local: ${refused}\n`);
    process.exit(1);
  }
  const startedMs = performance.now();
  const cloud = await startLocalCloud({ deviceIds, seedDemo: args['seed-demo'], port, log: createLogger(level) });
  process.stdout.write(`local cloud up in ${((performance.now() - startedMs) / 1000).toFixed(1)} s
  page + API  ${cloud.url}/
  try         curl '${cloud.url}/samples/latest?window=1h&device=${deviceIds[0]}'
  DynamoDB    ${cloud.endpoints.dynamodb}  tables ${LOCAL_NAMES.samplesTable}, ${LOCAL_NAMES.jobsTable}
  S3          ${cloud.endpoints.s3}  buckets ${LOCAL_NAMES.snapshotBucket}, ${LOCAL_NAMES.pageBucket}
  SQS         ${cloud.endpoints.sqs}  queues ${LOCAL_NAMES.refreshQueue}, ${LOCAL_NAMES.deadLetterQueue}
  a Pi uploads here with AWS_ENDPOINT_URL_DYNAMODB=${cloud.endpoints.dynamodb} AWS_REGION=us-east-1 and any access key
Everything is in memory and temp dirs; Ctrl-C stops it and removes them.
`);
  const stop = () => {
    process.stderr.write('stopping the local cloud…\n');
    cloud.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Why 127.0.0.1:`port` cannot be listened on now (listenErrorMessage's words), or undefined when it can. */
function portRefusal(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(listenErrorMessage(err, '127.0.0.1', port)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(undefined)));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`cloud:local failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
