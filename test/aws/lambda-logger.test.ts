/** The Lambdas' logger over Powertools Logger: JSON lines with level, service, fields and the invocation context. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lambdaLogger } from '../../aws/lambda-logger.js';

/** Lines written to stdout and stderr while `fn` runs (Powertools writes through its own Console on them). */
function captured(fn: () => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown) => { lines.push(...String(chunk).split('\n').filter(Boolean)); return true; };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

const log = suite('lambdaLogger (Powertools)');

log('levels below LOG_LEVEL are dropped; an error is a JSON line with level ERROR, the service and the fields', () => {
  const lines = captured(() => {
    const l = lambdaLogger('sensorctl-builder', 'warn');
    l.info('not shown');
    l.debug('not shown');
    l.error('device build failed', { deviceId: 'pi-1', error: 'boom' });
  });
  assert.is(lines.length, 1);
  assert.is(lines[0].level, 'ERROR');
  assert.is(lines[0].message, 'device build failed');
  assert.is(lines[0].service, 'sensorctl-builder');
  assert.is(lines[0].deviceId, 'pi-1');
  assert.is(lines[0].error, 'boom');
});

log('after addContext each line carries the request id and the cold-start flag; an unknown LOG_LEVEL means INFO', () => {
  const lines = captured(() => {
    const l = lambdaLogger('sensorctl-api', 'verbose');
    l.debug('not shown');
    l.addContext({ awsRequestId: 'req-123', functionName: 'api', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:api', memoryLimitInMB: '256' });
    l.info('served', { status: 200 });
  });
  assert.is(lines.length, 1);
  assert.is(lines[0].level, 'INFO');
  assert.is(lines[0].function_request_id, 'req-123');
  assert.is(typeof lines[0].cold_start, 'boolean', "cold_start present (true only on a process's first invocation)");
  assert.is(lines[0].status, 200);
});

log.run();
