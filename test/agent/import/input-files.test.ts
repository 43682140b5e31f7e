import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeFsError, ImportInputError, listInputFiles, NotTextError, readLineChunks } from '../../../agent/import/input-files.js';

const dir = mkdtempSync(join(tmpdir(), 'input-files-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const list = suite('listInputFiles');
list('walks folders recursively in path order and skips SOURCE.md, LICENSE and dot files', () => {
  for (const d of ['2017/10', '2017/02', '2018/01']) mkdirSync(join(dir, 'set', d), { recursive: true });
  for (const f of ['2017/10/t.csv', '2017/02/t.csv', '2017/02/h.csv', '2018/01/t.csv', 'SOURCE.md', 'LICENSE', '.hidden']) writeFileSync(join(dir, 'set', f), 'x');
  assert.equal(listInputFiles([join(dir, 'set')]).map((f) => f.label), ['2017/02/h.csv', '2017/02/t.csv', '2017/10/t.csv', '2018/01/t.csv']);
});
list('throws ImportInputError for a missing path argument, in words, marked as the argument’s fault', () => {
  assert.throws(() => listInputFiles([join(dir, 'missing')]), (e: unknown) =>
    e instanceof ImportInputError && e.isPathArgument && (e as Error).message === `${join(dir, 'missing')}: no such file or directory`);
});
list('returns no file for an empty folder', () => {
  mkdirSync(join(dir, 'empty-folder'));
  assert.equal(listInputFiles([join(dir, 'empty-folder')]), []);
});
list.run();

const fsErr = suite('describeFsError');
fsErr('turns errno codes into sentences and keeps the message of anything else', () => {
  const e = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
  assert.is(describeFsError(e('ENOENT')), 'no such file or directory');
  assert.is(describeFsError(e('EACCES')), 'permission denied');
  assert.is(describeFsError(e('EISDIR')), 'is a folder where a file was expected');
  assert.is(describeFsError(e('EWHAT')), 'EWHAT: raw');
});
fsErr.run();


const read = suite('readLineChunks');
read('yields whole lines without CR, LF or a byte-order mark, the last line even without a newline', async () => {
  const p = join(dir, 'crlf.csv');
  writeFileSync(p, '\uFEFFTimestamp,Temperature\r\n1,2\r\n3,4');
  const lines: string[] = [];
  for await (const c of readLineChunks(p)) lines.push(...c);
  assert.equal(lines, ['Timestamp,Temperature', '1,2', '3,4']);
});
read('reports progress in bytes of the file, never more than its size, with multi-byte text', async () => {
  const p = join(dir, 'utf8.csv');
  const text = 'ts,tempC\n' + '1700000000,21.5 °C ✓\n'.repeat(100_000);
  writeFileSync(p, text);
  const seen: number[] = [];
  const lines: string[] = [];
  for await (const c of readLineChunks(p, (b) => seen.push(b))) lines.push(...c);
  assert.is(seen[seen.length - 1], Buffer.byteLength(text));
  assert.ok(seen.every((b) => b <= Buffer.byteLength(text)));
  assert.is(lines.length, 100_001);
  assert.ok(lines.every((l, i) => i === 0 || l === '1700000000,21.5 °C ✓'), 'characters split across 1 MiB chunks are decoded whole');
});
read('throws NotTextError before any line for binary data or a file that is not UTF-8', async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['nul.bin', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x41, 0x42]), /binary data/],
    ['latin1.csv', Buffer.from('ts,Temp\n1700000000,21\xb0C\n', 'latin1'), /not UTF-8 text/],
  ];
  for (const [name, bytes, reason] of cases) {
    writeFileSync(join(dir, name), bytes);
    const got: string[] = [];
    let error: unknown;
    try {
      for await (const c of readLineChunks(join(dir, name))) got.push(...c);
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof NotTextError, name);
    assert.match((error as NotTextError).reason, reason);
    assert.equal(got, []);
  }
});
read.run();
