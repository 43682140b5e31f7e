/**
 * Refresh-job state in DynamoDB (the stack's jobs table: partition key `pk` S, TTL attribute
 * `expiresAtS` in epoch SECONDS), shared by the API Lambda (creates jobs, reads them) and the builder
 * Lambda (moves them running → progress → done/failed). Two item kinds:
 * - `job#{requestId}`: the job (`JobState` fields) and its events as a list (event id = index + 1,
 *   appended atomically with `list_append`, so ids never collide between writers);
 * - `lock#{device}#{window}`: which job holds the device/window, taken with a conditional PutItem
 *   (`attribute_not_exists(pk) OR expiresAtS < :now`), released with a conditional DeleteItem. A lock
 *   whose job is over or gone is taken over (conditional on the old `requestId`), so a crashed
 *   builder never blocks a device/window longer than the lock's own TTL.
 * TTL deletion runs up to days late, so reads treat an item whose `expiresAtS` has passed as absent.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isGranularity, isWindow } from '../builder/constants.js';
import type { BuildRequest, JobEvent, JobEventType, JobState, JobStatus } from '../api/ports.js';

/** A jobs-table call failed; `requestId` or `pk` says which item. */
export class JobStoreError extends Error {
  constructor(readonly table: string, readonly pk: string, message: string, options?: ErrorOptions) {
    super(`${table} ${pk}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** Tunables of `DynamoDbJobStore`. */
export interface JobStoreOptions {
  /** How long a job stays readable after creation, s (default 86 400: one day). */
  jobTtlS?: number;
  /** Longest a device/window lock is held without release, s (default 900; covers a 2 min builder × 3 tries). */
  lockTtlS?: number;
}

/** Longest failure message kept, characters (as the in-process jobs). */
const MAX_ERROR_CHARS = 200;
const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'failed'];

/** Partition key of a job item. */
export const jobPk = (requestId: string): string => `job#${requestId}`;
/** Partition key of the lock item of one device/window: at most one live job each. */
export const lockPk = (request: Pick<BuildRequest, 'device' | 'window'>): string => `lock#${request.device}#${request.window}`;

interface StoredEvent {
  type: JobEventType;
  /** JSON text of the event's data. */
  data: string;
}

/** The `JobState` of a job item, or `undefined` when malformed. */
function stateOf(item: Record<string, unknown>): JobState | undefined {
  const { requestId, device, window, granularity, status, progress, createdMs, etaMs } = item;
  if (typeof requestId !== 'string' || typeof device !== 'string' || !isWindow(window) || !isGranularity(granularity)) return undefined;
  if (!JOB_STATUSES.includes(status as JobStatus) || typeof progress !== 'number' || typeof createdMs !== 'number' || typeof etaMs !== 'number') return undefined;
  const events = Array.isArray(item.events) ? item.events : [];
  const state: JobState = { requestId, device, window, granularity, status: status as JobStatus, progress, createdMs, etaMs, lastEventId: events.length };
  if (typeof item.generatedAt === 'string') state.generatedAt = item.generatedAt;
  if (typeof item.versionId === 'string') state.versionId = item.versionId;
  if (typeof item.error === 'string') state.error = item.error;
  return state;
}

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Job state and device/window locks in one DynamoDB table. Times: epoch ms in, epoch s for TTL. */
export class DynamoDbJobStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly jobTtlS: number;
  private readonly lockTtlS: number;

  constructor(client: DynamoDBClient, readonly table: string, options: JobStoreOptions = {}) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.jobTtlS = options.jobTtlS ?? 86_400;
    this.lockTtlS = options.lockTtlS ?? 900;
  }

  private async call<T>(pk: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isConditionFailure(err)) throw err;
      throw new JobStoreError(this.table, pk, `${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Create a queued job for `request` unless a live job holds its device/window.
   * @returns the new job (`isNew: true`) or the one holding the lock (`isNew: false`).
   * @throws {JobStoreError} when DynamoDB fails, or the lock stays contended after 3 tries.
   */
  async create(request: BuildRequest, requestId: string, nowMs: number, etaMs: number): Promise<{ job: JobState; isNew: boolean }> {
    const nowS = Math.floor(nowMs / 1000);
    const queued: StoredEvent = { type: 'queued', data: JSON.stringify({ window: request.window, granularity: request.granularity, device: request.device }) };
    const item = {
      pk: jobPk(requestId), requestId, device: request.device, window: request.window, granularity: request.granularity,
      status: 'queued', progress: 0, createdMs: nowMs, etaMs, events: [queued], expiresAtS: nowS + this.jobTtlS,
    };
    await this.call(item.pk, 'PutItem', () => this.doc.send(new PutCommand({ TableName: this.table, Item: item })));
    const lock = { pk: lockPk(request), requestId, expiresAtS: nowS + this.lockTtlS };
    let condition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> } = {
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAtS < :nowS',
      ExpressionAttributeValues: { ':nowS': nowS },
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.call(lock.pk, 'PutItem', () => this.doc.send(new PutCommand({ TableName: this.table, Item: lock, ...condition })));
        return { job: stateOf(item)!, isNew: true };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      const holder = await this.getItem(lock.pk, nowMs);
      const held = typeof holder?.requestId === 'string' ? await this.get(holder.requestId, nowMs) : undefined;
      if (held && held.status !== 'done' && held.status !== 'failed') {
        await this.call(item.pk, 'DeleteItem', () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: item.pk } })));
        return { job: held, isNew: false };
      }
      // The holder is over or gone: take the lock over, unless someone else changed it meanwhile.
      condition = holder
        ? { ConditionExpression: 'requestId = :old', ExpressionAttributeValues: { ':old': holder.requestId } }
        : { ConditionExpression: 'attribute_not_exists(pk) OR expiresAtS < :nowS', ExpressionAttributeValues: { ':nowS': nowS } };
    }
    throw new JobStoreError(this.table, lock.pk, 'lock still contended after 3 tries');
  }

  private async getItem(pk: string, nowMs: number): Promise<Record<string, unknown> | undefined> {
    const out = await this.call(pk, 'GetItem', () => this.doc.send(new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true })));
    const item = out.Item;
    if (!item || (typeof item.expiresAtS === 'number' && item.expiresAtS * 1000 < nowMs)) return undefined;
    return item;
  }

  /** The job, or `undefined` when unknown, expired or malformed (strongly consistent read). */
  async get(requestId: string, nowMs: number): Promise<JobState | undefined> {
    const item = await this.getItem(jobPk(requestId), nowMs);
    return item && stateOf(item);
  }

  /** The job and its events, or `undefined` (same rules as `get`). */
  async getWithEvents(requestId: string, nowMs: number): Promise<{ job: JobState; events: JobEvent[] } | undefined> {
    const item = await this.getItem(jobPk(requestId), nowMs);
    const job = item && stateOf(item);
    if (!job) return undefined;
    const events = (item.events as StoredEvent[]).map((e, i) => ({ id: i + 1, type: e.type, data: JSON.parse(e.data) as Record<string, unknown> }));
    return { job, events };
  }

  /**
   * Append one event and set fields, only while the job's status is one of `from`.
   * @returns false when the job is absent or not in `from` (nothing changed).
   */
  private async advance(requestId: string, from: readonly JobStatus[], type: JobEventType, data: Record<string, unknown>, set: Record<string, unknown>): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':event': [{ type, data: JSON.stringify(data) }] };
    const sets = ['events = list_append(events, :event)'];
    for (const [name, value] of Object.entries(set)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    from.forEach((s, i) => (values[`:from${i}`] = s));
    try {
      await this.call(jobPk(requestId), 'UpdateItem', () =>
        this.doc.send(new UpdateCommand({
          TableName: this.table,
          Key: { pk: jobPk(requestId) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        })),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** queued → running (event `started`). @returns false when the job is not queued. */
  markRunning(requestId: string): Promise<boolean> {
    return this.advance(requestId, ['queued'], 'started', {}, { status: 'running' });
  }

  /** A `progress` event with `fraction` (0..1, clamped) while running. */
  markProgress(requestId: string, fraction: number): Promise<boolean> {
    const progress = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    return this.advance(requestId, ['running'], 'progress', { progress }, { progress });
  }

  /**
   * queued/running → done (event `done` with `resultUrl` and `generatedAt`), then release the lock.
   * `versionId`, the snapshot version the job published, is kept on the job (the status body's
   * `resultUrl` pins it: `resultUrlOf`); it is not part of the event.
   */
  async markDone(job: Pick<JobState, 'requestId' | 'device' | 'window'>, result: { generatedAt: string; resultUrl: string; versionId?: string }): Promise<boolean> {
    const { versionId, ...event } = result;
    const set = { status: 'done', progress: 1, generatedAt: result.generatedAt, ...(versionId === undefined ? {} : { versionId }) };
    const changed = await this.advance(job.requestId, ['queued', 'running'], 'done', event, set);
    await this.release(job);
    return changed;
  }

  /** queued/running → failed (event `failed` with `error`, at most 200 characters), then release the lock. */
  async markFailed(job: Pick<JobState, 'requestId' | 'device' | 'window'>, message: string): Promise<boolean> {
    const error = (message || 'build failed').slice(0, MAX_ERROR_CHARS);
    const changed = await this.advance(job.requestId, ['queued', 'running'], 'failed', { error }, { status: 'failed', error });
    await this.release(job);
    return changed;
  }

  /** Drop the device/window lock if `job` still holds it. */
  async release(job: Pick<JobState, 'requestId' | 'device' | 'window'>): Promise<void> {
    const pk = lockPk(job);
    try {
      await this.call(pk, 'DeleteItem', () =>
        this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk }, ConditionExpression: 'requestId = :id', ExpressionAttributeValues: { ':id': job.requestId } })),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
