import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ImportInputError, listInputFiles, readLineChunks } from '../../../agent/import/input-files.js';

const dir = mkdtempSync(join(tmpdir(), 'input-files-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const list = suite('listInputFiles');
list('walks folders recursively in path order and skips SOURCE.md, LICENSE and dot files', () => {
  for (const d of ['2017/10', '2017/02', '2018/01']) mkdirSync(join(dir, 'set', d), { recursive: true });
  for (const f of ['2017/10/t.csv', '2017/02/t.csv', '2017/02/h.csv', '2018/01/t.csv', 'SOURCE.md', 'LICENSE', '.hidden']) writeFileSync(join(dir, 'set', f), 'x');
  assert.equal(listInputFiles([join(dir, 'set')]).map((f) => f.label), ['2017/02/h.csv', '2017/02/t.csv', '2017/10/t.csv', '2018/01/t.csv']);
});
list('throws ImportInputError for a missing path', () => {
  assert.throws(() => listInputFiles([join(dir, 'missing')]), (e: unknown) => e instanceof ImportInputError && /ENOENT/.test((e as Error).message));
});
list.run();

const read = suite('readLineChunks');
read('yields whole lines without CR, LF or a byte-order mark, the last line even without a newline', async () => {
  const p = join(dir, 'crlf.csv');
  writeFileSync(p, '\uFEFFTimestamp,Temperature\r\n1,2\r\n3,4');
  const lines: string[] = [];
  for await (const c of readLineChunks(p)) lines.push(...c);
  assert.equal(lines, ['Timestamp,Temperature', '1,2', '3,4']);
});
read.run();
