/**
 * `sensorctl table create [--table T] [--jobs-table J]`: create the samples table (on-demand
 * PAY_PER_REQUEST, TTL off, partition key `deviceId` S, sort key `tsMs` N) unless it exists, and wait
 * until it is ACTIVE; with `--jobs-table` also the refresh-jobs table (`JOBS_TABLE_DEFINITION`:
 * partition key `pk` S, on-demand, TTL on `expiresAtS`). An existing table with another key schema
 * (`tsMs` as S) fails (exit 1) naming both schemas.
 * `sensorctl table describe [--table T]`: show its status and key schema. The table name comes from
 * `--table`, else config `cloud.table`, else `sensor-samples`. The endpoint follows
 * `AWS_ENDPOINT_URL_DYNAMODB` (e.g. `http://127.0.0.1:8000` for an emulator).
 */
import type { Command } from 'commander';
import type { createDynamoClient } from '../../aws/clients.js';
import type { keySchemaText as KeySchemaText, TableDescription } from '../../aws/dynamodb-sink.js';
import type { JobsTtlState } from '../../aws/dynamodb-jobs-table.js';
import { UploadError } from '../../agent/upload/errors.js';
import { DEFAULT_TABLE_NAME } from '../../agent/config/upload-config.js';
import { globalOptions, loadConfig, output, UsageError } from '../context.js';

const TTL_TEXT: Record<JobsTtlState, string> = {
  enabled: 'TTL on expiresAtS enabled now',
  'already-enabled': 'TTL on expiresAtS already on',
  unsupported: 'TTL not supported by this endpoint (an emulator): expired jobs are ignored on read',
};

function describeText(d: TableDescription, keySchemaText: typeof KeySchemaText): string {
  const keys = keySchemaText(d.keySchema);
  return `table ${d.table}: ${d.status}, billing ${d.billingMode ?? 'unknown'}, keys ${keys}` + (d.itemCount !== undefined ? `, ~${d.itemCount} items` : '');
}

/** `name` when DynamoDB allows it as a table name. @throws {UsageError} naming `flag` and the rule. */
function checkTableName(flag: string, name: string): string {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) throw new UsageError(`${flag} ${name}: expected 3–255 of A–Z a–z 0–9 _ . -`);
  return name;
}

async function withClient<T>(cmd: Command, table: string | undefined, fn: (client: ReturnType<typeof createDynamoClient>, table: string, g: ReturnType<typeof globalOptions>) => Promise<T>, maxAttempts?: number) {
  const g = globalOptions(cmd);
  const config = loadConfig(g);
  const name = checkTableName('--table', table ?? config.cloud?.table ?? DEFAULT_TABLE_NAME);
  // The AWS SDK is loaded when a table command runs, not when `--help` lists the commands.
  const [{ createDynamoClient }, { UPLOAD_CLIENT_OPTIONS }] = await Promise.all([import('../../aws/clients.js'), import('../../aws/dynamodb-sink.js')]);
  const client = createDynamoClient(process.env, { ...UPLOAD_CLIENT_OPTIONS, ...(maxAttempts ? { maxAttempts } : {}), region: config.cloud?.region });
  try {
    return await fn(client, name, g);
  } catch (err) {
    if (/Could not load credentials/i.test((err as Error).message)) {
      throw new UsageError('no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials (docs/install-pi.md says how for the service)');
    }
    if (/Region is missing/i.test((err as Error).message)) {
      throw new UsageError('no AWS region: set "cloud.region" in the config file, or AWS_REGION (or a profile with a region)');
    }
    if (err instanceof UploadError) {
      process.stderr.write(`sensorctl table: ${err.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw err;
  } finally {
    client.destroy();
  }
}

export function register(program: Command): void {
  const table = program
    .command('table')
    .description('create, describe or migrate the DynamoDB tables (samples, refresh jobs)')
    .addHelpText('after', `
Examples:
  sensorctl table create --table sensor-samples
  AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 AWS_REGION=us-east-1 sensorctl table describe`);
  table
    .command('create')
    .description('create the samples table (PAY_PER_REQUEST, TTL off; deviceId S + tsMs N) unless it exists, and with --jobs-table the refresh-jobs table; wait until ACTIVE')
    .option('--table <name>', 'samples table name (default: config cloud.table, else sensor-samples)')
    .option('--jobs-table <name>', 'also create the refresh-jobs table <name> (PAY_PER_REQUEST; pk S; TTL on expiresAtS), as the stack\'s JobsTable (default: none)')
    .option('--wait-s <seconds>', 'longest wait for ACTIVE, in seconds', '120')
    .addHelpText('after', `
Both tables: idempotent. An existing table is checked (key schema), never changed; the jobs table's
TTL is turned on when it is off. The API Lambda and the builder read the jobs table's name from
JOBS_TABLE (docs/cloud-api.md).

Examples:
  sensorctl table create                                   table from config cloud.table (else sensor-samples)
  sensorctl table create --jobs-table sensor-jobs          and the refresh-jobs table
  AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 AWS_REGION=us-east-1 sensorctl table create --table samples`)
    .action(async (opts: { table?: string; jobsTable?: string; waitS: string }, cmd: Command) => {
      const waitS = Number(opts.waitS);
      if (!Number.isInteger(waitS) || waitS < 1) throw new UsageError(`--wait-s ${opts.waitS}: expected a whole number of seconds ≥ 1`);
      if (opts.jobsTable !== undefined) checkTableName('--jobs-table', opts.jobsTable);
      await withClient(cmd, opts.table, async (client, name, g) => {
        const [{ createTable, keySchemaText }, { createJobsTable }] = await Promise.all([import('../../aws/dynamodb-sink.js'), import('../../aws/dynamodb-jobs-table.js')]);
        const { created, description } = await createTable(client, name, waitS);
        const jobs = opts.jobsTable === undefined ? undefined : await createJobsTable(client, opts.jobsTable, waitS);
        const lines = [`${created ? 'created' : 'exists'}: ${describeText(description, keySchemaText)}`];
        if (jobs) lines.push(`${jobs.created ? 'created' : 'exists'}: ${describeText(jobs.description, keySchemaText)}; ${TTL_TEXT[jobs.ttl]}`);
        const json = { created, ...description, ...(jobs ? { jobsTable: { created: jobs.created, ttl: jobs.ttl, ...jobs.description } } : {}) };
        output(g, json, () => lines.join('\n'));
      });
    });
  table
    .command('describe')
    .description('show the table status and key schema')
    .option('--table <name>', 'table name (default: config cloud.table, else sensor-samples)')
    .addHelpText('after', `
Examples:
  sensorctl table describe --json
  AWS_PROFILE=sensors sensorctl table describe --table sensor-samples`)
    .action(async (opts: { table?: string }, cmd: Command) => {
      await withClient(cmd, opts.table, async (client, name, g) => {
        const { describeTable, keySchemaText } = await import('../../aws/dynamodb-sink.js');
        const d = await describeTable(client, name);
        if (!d) {
          output(g, { table: name, exists: false }, () => `table ${name} does not exist (create it with: sensorctl table create --table ${name})`);
          process.exitCode = 1;
          return;
        }
        output(g, { exists: true, ...d }, () => describeText(d, keySchemaText));
      });
    });
  table
    .command('index-devices')
    .description('one-off migration: set entity="catalog" on catalogue items written by old agents, so the device index (and the cloud builder) finds those devices')
    .option('--table <name>', 'samples table name (default: config cloud.table, else sensor-samples)')
    .option('--dry-run', 'scan and count what would be updated; change nothing')
    .addHelpText('after', `
A paginated Scan of the whole table (filter tsMs = 0): it reads, and bills, every item. About 17,000
read units per million 4-series sample items (141 B each, eventually consistent), about $0.002 on
demand at $0.125 per million read units. Each catalogue item without entity gets a conditional
UpdateItem (never creates an item, never changes one already set): running it again updates 0.
Progress lines on stderr; the summary on stdout. Exit 1 on an AWS error (credentials redacted).

Examples:
  sensorctl table index-devices --dry-run
  AWS_PROFILE=admin sensorctl table index-devices --table sensor-samples`)
    .action(async (opts: { table?: string; dryRun?: boolean }, cmd: Command) => {
      await withClient(cmd, opts.table, async (client, name, g) => {
        const { indexOldCatalogs, IndexDevicesError } = await import('../../aws/dynamodb-index-devices.js');
        const counts = (p: { scanned: number; catalogs: number; updated: number; missing: number; alreadySet: number; readUnits: number }) =>
          `${p.scanned} items scanned, ${p.catalogs} catalogues, ${opts.dryRun ? `${p.missing} to update` : `${p.updated} updated`}, ${p.alreadySet} already set, ${p.readUnits} read units`;
        try {
          const p = await indexOldCatalogs(client, name, { dryRun: opts.dryRun, onPage: (x) => process.stderr.write(`index-devices ${name}: ${counts(x)}\n`) });
          output(g, { table: name, dryRun: Boolean(opts.dryRun), ...p }, () => `${opts.dryRun ? 'dry run, nothing changed' : 'done'}: ${name}: ${counts(p)}`);
        } catch (err) {
          if (!(err instanceof IndexDevicesError)) throw err;
          process.stderr.write(`sensorctl table index-devices: stopped after ${counts(err.progress)} (updates made stay; run it again to go on)\n`);
          throw err.cause;
        }
      }, 5);
    });
}
