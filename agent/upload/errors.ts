/**
 * Typed errors of the upload path. Adapters (`dynamodb-sink.ts`) translate SDK errors into these, so
 * the uploader policy never sees SDK error types. Three kinds, decided where the error is raised:
 * - `TransientUploadError`: throttling, 5xx, network faults, unprocessed items — retry with backoff;
 * - `PermanentUploadError`: the request itself is invalid (ValidationException) — never retry, reject
 *   the offending item(s);
 * - `FatalUploadError`: nothing can be written now (table missing, access denied, no credentials) —
 *   stop the run, keep every item pending.
 */

export class UploadError extends Error {
  /** @param table DynamoDB table the request went to; `code` the service error name (`__type`) or network code. */
  constructor(readonly table: string, readonly code: string, message: string, options?: ErrorOptions) {
    super(`${table}: ${code}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** Retry with backoff: throttling, HTTP 5xx, dropped or refused connections, timeouts. */
export class TransientUploadError extends UploadError {}

/** Never retried: the batch is invalid as sent (e.g. ValidationException). */
export class PermanentUploadError extends UploadError {}

/** The run cannot continue (ResourceNotFoundException, AccessDenied, missing credentials). */
export class FatalUploadError extends UploadError {}

/** Some items of a batch came back in `UnprocessedItems`; only those are resubmitted. */
export class UnprocessedItemsError extends TransientUploadError {
  constructor(table: string, readonly unprocessedCount: number, readonly batchCount: number) {
    super(table, 'UnprocessedItems', `${unprocessedCount} of ${batchCount} items unprocessed`);
  }
}
