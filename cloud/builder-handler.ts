/**
 * The builder Lambda's handler logic, separated from its composition root (`lambda-builder.ts`) so
 * tests inject peers: EventBridge scheduled events build the windows they name for every configured
 * device; SQS refresh jobs build theirs one record at a time and report failed records in
 * `batchItemFailures` (the queue redelivers only those). One EMF line per device per run.
 */
import { emfLine } from './emf.js';
import { isSqsEvent, scheduledJob, sqsJob, type BuildJob } from './lambda-events.js';
import { runCloudBuild, type CloudRunDeps, type DeviceRunReport } from './cloud-build-run.js';

export interface BuilderHandlerDeps extends CloudRunDeps {
  /** Devices built when a job names none (env DEVICE_IDS). */
  deviceIds: readonly string[];
  /** Where EMF lines go: `console.log` in Lambda. */
  emit(line: string): void;
}

/** Result of a scheduled invocation; SQS invocations answer the partial-batch shape. */
export interface ScheduledResult {
  reports: DeviceRunReport[];
}
export interface SqsBatchResult {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export function createBuilderHandler(deps: BuilderHandlerDeps): (event: unknown) => Promise<ScheduledResult | SqsBatchResult> {
  async function run(job: BuildJob): Promise<DeviceRunReport[]> {
    const deviceIds = job.deviceIds ?? deps.deviceIds;
    const reports = await runCloudBuild(deps, { deviceIds, windows: job.windows, full: job.full });
    for (const r of reports) {
      deps.emit(emfLine(r, deps.clock.nowMs(), { builder: 'lambda', windows: r.windows.join(','), samplesRead: r.samplesRead, built: r.built, stale: r.stale, wasFull: r.wasFull, requestId: job.requestId, error: r.error }));
    }
    return reports;
  }
  return async (event) => {
    if (isSqsEvent(event)) {
      const batchItemFailures: SqsBatchResult['batchItemFailures'] = [];
      for (const record of event.Records) {
        try {
          const reports = await run(sqsJob(record));
          if (reports.some((r) => r.error || r.stale > 0)) batchItemFailures.push({ itemIdentifier: record.messageId });
        } catch (err) {
          deps.logger.error('refresh job failed', { messageId: record.messageId, error: (err as Error).message });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    }
    return { reports: await run(scheduledJob(event)) };
  };
}
