import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { bufferContract } from '../../support/buffer-contract.js';
import { MemoryBuffer } from '../../support/memory-buffer.js';

const dir = mkdtempSync(join(tmpdir(), 'buffer-contract-'));
let n = 0;
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

bufferContract('SqliteBuffer on a temp file', () => SqliteBuffer.open(join(dir, `b${n++}.db`)));
bufferContract('MemoryBuffer', () => new MemoryBuffer(1_000));
