/**
 * SqliteBuffer through the shared SampleSource contract (test/support/sample-source-contract.ts):
 * on a temp file (range reads on their own WAL snapshot connection) and in memory (materialised
 * range reads). test/agent/buffer/buffer-contract.test.ts runs the SampleBuffer side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { sampleSourceContract, type ContractSource } from '../support/sample-source-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'source-contract-'));
let n = 0;
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function contract(buffer: SqliteBuffer): ContractSource {
  return {
    source: buffer,
    define: async (series) => buffer.defineSeries(series),
    add: async (deviceId, samples) => void buffer.insert(deviceId, samples),
    close: async () => buffer.close(),
  };
}

sampleSourceContract('SqliteBuffer on a temp file', async () => contract(SqliteBuffer.open(join(dir, `s${n++}.db`))), 'from-start');
sampleSourceContract('SqliteBuffer in memory', async () => contract(SqliteBuffer.open(':memory:')), 'from-start');
