import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WINDOW_NAMES } from '../../builder/constants.js';
import { EventError, isSqsEvent, parseJob, scheduledJob, sqsJob } from '../../cloud/lambda-events.js';

const sched = suite('scheduledJob');
sched('reads the windows of a constant-input schedule ({"windows":["1h"]})', () => {
  assert.equal(scheduledJob({ windows: ['1h'] }), { windows: ['1h'], full: false });
});
sched('reads them from detail of a default EventBridge scheduled event', () => {
  const e = { version: '0', id: 'x', 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-01-01T00:00:00Z', detail: { windows: ['12m', '10h'] } };
  assert.equal(scheduledJob(e).windows, ['10h', '12m'], 'in matrix order');
});
sched('builds every window when none is named (empty detail)', () => {
  assert.equal(scheduledJob({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }).windows, WINDOW_NAMES);
});
sched('rejects an unknown window naming the allowed ones', () => {
  assert.throws(() => scheduledJob({ windows: ['2h'] }), (e: Error) => e instanceof EventError && /unknown window "2h"; allowed: 1h, 10h, 1d, 10d, 3m, 12m/.test(e.message));
  assert.throws(() => scheduledJob({ windows: [] }), (e: Error) => e instanceof EventError);
});
sched.run();

const sqs = suite('sqsJob / isSqsEvent');
sqs('parses a refresh job with one window, device and request id', () => {
  assert.equal(sqsJob({ messageId: 'm', body: '{"requestId":"r-1","deviceId":"pi-1","window":"1d","full":true}' }), { windows: ['1d'], full: true, deviceIds: ['pi-1'], requestId: 'r-1' });
});
sqs('rejects a body that is not JSON or names a bad device id', () => {
  assert.throws(() => sqsJob({ messageId: 'm', body: '{' }), /message m is not JSON/);
  assert.throws(() => parseJob({ deviceId: 'bad id' }), /deviceId/);
});
sqs('recognises SQS batches only when every record comes from aws:sqs', () => {
  assert.ok(isSqsEvent({ Records: [{ messageId: 'a', body: '{}', eventSource: 'aws:sqs' }] }));
  assert.not.ok(isSqsEvent({ Records: [{ eventSource: 'aws:s3' }] }));
  assert.not.ok(isSqsEvent({ windows: ['1h'] }));
});
sqs.run();
