/**
 * Parsing of the builder Lambda's events (pure):
 * - EventBridge scheduled rule with constant input `{"windows":["1h"]}` (the target's Input), or the
 *   default scheduled event carrying the same object in `detail`;
 * - SQS refresh jobs (`Records[].eventSource === 'aws:sqs'`), body JSON
 *   `{"requestId"?: string, "deviceId"?: string, "deviceIds"?: string[], "window"?: W, "windows"?: W[],
 *   "full"?: boolean, "shard"?: true}` (a refresh job, or a shard of a scheduled run).
 * Windows default to all of them; device ids default to every configured device.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html (partial batch responses)
 */
import { ID_PATTERN, isWindow, WINDOW_NAMES, type Window } from '../builder/constants.js';

/** A build job: which devices and windows; `requestId` ties an SQS job to `POST /samples/refresh`. */
export interface BuildJob {
  deviceIds?: string[];
  windows: Window[];
  full: boolean;
  requestId?: string;
  /** A shard of a scheduled run (`"shard": true`): built, its failures counted, never redelivered. */
  shard?: boolean;
}

/** An event or message the builder cannot act on; `field` names what was wrong. */
export class EventError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = new.target.name;
  }
}

export interface SqsRecord {
  messageId: string;
  body: string;
  eventSource?: string;
}

function windowsOf(raw: Record<string, unknown>): Window[] {
  const list = raw.windows ?? (raw.window === undefined ? undefined : [raw.window]);
  if (list === undefined) return [...WINDOW_NAMES];
  if (!Array.isArray(list) || list.length === 0) throw new EventError('windows', `got ${JSON.stringify(list)}, expected a non-empty array of ${WINDOW_NAMES.join(', ')}`);
  for (const w of list) if (!isWindow(w)) throw new EventError('windows', `unknown window ${JSON.stringify(w)}; allowed: ${WINDOW_NAMES.join(', ')}`);
  return WINDOW_NAMES.filter((w) => list.includes(w));
}

/** Turn a job object (schedule input, detail, or SQS body) into a `BuildJob`. @throws {EventError}. */
export function parseJob(raw: unknown): BuildJob {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EventError('(event)', 'expected a JSON object');
  const r = raw as Record<string, unknown>;
  const job: BuildJob = { windows: windowsOf(r), full: r.full === true };
  const ids = r.deviceIds ?? (r.deviceId === undefined ? undefined : [r.deviceId]);
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((d) => typeof d !== 'string' || !ID_PATTERN.test(d))) {
      throw new EventError('deviceId', `got ${JSON.stringify(ids)}, expected device ids of 1–64 A–Z a–z 0–9 . _ : -`);
    }
    job.deviceIds = ids as string[];
  }
  if (typeof r.requestId === 'string') job.requestId = r.requestId;
  if (r.shard === true) job.shard = true;
  return job;
}

/** Whether `event` is an SQS batch. */
export function isSqsEvent(event: unknown): event is { Records: SqsRecord[] } {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.every((r) => (r as SqsRecord)?.eventSource === 'aws:sqs');
}

/** The job of a scheduled event: its own fields (constant input) or its `detail`. @throws {EventError}. */
export function scheduledJob(event: unknown): BuildJob {
  const e = (event ?? {}) as Record<string, unknown>;
  if (e['detail-type'] === 'Scheduled Event' || (e.source === 'aws.events' && 'detail' in e)) return parseJob(e.detail ?? {});
  return parseJob(e);
}

/** The job of one SQS record. @throws {EventError} for a body that is not a valid job. */
export function sqsJob(record: SqsRecord): BuildJob {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new EventError('body', `message ${record.messageId} is not JSON`);
  }
  return parseJob(body);
}
