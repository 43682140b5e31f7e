import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonErrorWithLine, loadConfig, UsageError, type GlobalOptions } from '../../cli/context.js';


const dir = mkdtempSync(join(tmpdir(), 'sensorctl-config-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function globalsFor(configPath: string): GlobalOptions {
  return { configPath } as unknown as GlobalOptions;
}

test('a config file that is not JSON is a usage error naming the file, the line and the column (on Node 20 and 22)', () => {
  const path = join(dir, 'bad.json');
  writeFileSync(path, '{\n  "deviceId": "shed",\n  "http": { "port": 8080, }\n}\n');
  let err: unknown;
  try {
    loadConfig(globalsFor(path));
  } catch (e) {
    err = e;
  }
  assert.instance(err, UsageError);
  const message = (err as Error).message;
  assert.ok(message.startsWith(`config file ${path}: not valid JSON: `), message);
  assert.match(message, /line 3 column 27\b/);
});

test('jsonErrorWithLine counts lines and columns from 1 and leaves a message that has them alone', () => {
  assert.is(jsonErrorWithLine('Unexpected token } in JSON at position 4', '{\n "a"}'), 'Unexpected token } in JSON at position 4 (line 2 column 3)');
  assert.is(jsonErrorWithLine('Unexpected end of JSON input', '{'), 'Unexpected end of JSON input');
  const node22 = "Expected double-quoted property name in JSON at position 4 (line 2 column 3)";
  assert.is(jsonErrorWithLine(node22, '{\n "a"}'), node22);
});

test.run();
