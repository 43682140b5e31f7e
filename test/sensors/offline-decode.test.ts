import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeInputError, decodeBh1750Raw, decodeBmeRegisters, decodeShtFrame, decodeW1Text, parseHexBytes, parseI2cdump, parseRegArgs } from '../../sensors/offline-decode.js';

const FIX = new URL('../fixtures/sensors/', import.meta.url);
const isInputError = (e: unknown) => e instanceof DecodeInputError;

const hex = suite('parseHexBytes');
hex('accepts spaced, packed, 0x-prefixed and comma-separated bytes', () => {
  for (const t of ['64 8B C7', '648bc7', '0x64,0x8b,0xc7', '64:8b:c7', ' 64  8B\nC7 ']) assert.equal([...parseHexBytes(t, 'x')], [0x64, 0x8b, 0xc7], t);
});
hex('rejects odd digits and non-hex', () => {
  for (const t of ['648', 'zz', '', '0xg1']) assert.throws(() => parseHexBytes(t, 'x'), isInputError, t);
});
hex.run();

const dump = suite('parseI2cdump');
dump('reads every row of an i2cdump listing, skipping XX', () => {
  const regs = parseI2cdump(readFileSync(new URL('i2cdump-bme280-000.txt', FIX), 'utf8'));
  assert.is(regs.size, 256);
  assert.is(regs.get(0xd0), 0x60);
  assert.is(regs.get(0x88), 108);
  const partial = parseI2cdump('     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef\nf0: XX XX 01 00 25 a0 XX 55 33 80 81 7f b0 79 13 XX    ..?.%?.U3???y?.\n');
  assert.equal([...partial.keys()], [0xf2, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe]);
});
dump('rejects text without dump rows', () => assert.throws(() => parseI2cdump('Error: Could not open file /dev/i2c-1'), isInputError));
dump.run();

const reg = suite('parseRegArgs');
reg('places each byte run at its start register', () => {
  const m = parseRegArgs(['0xF7=80 00 00', '250=8000']);
  assert.equal([...m.entries()], [[0xf7, 0x80], [0xf8, 0], [0xf9, 0], [250, 0x80], [251, 0]]);
});
reg('rejects a missing "=" and a run past 0xFF', () => {
  assert.throws(() => parseRegArgs(['F7']), isInputError);
  assert.throws(() => parseRegArgs(['0xFE=000000']), isInputError);
});
reg.run();

const bme = suite('decodeBmeRegisters');
bme('names the missing registers', () => {
  assert.throws(() => decodeBmeRegisters('bme280', parseRegArgs(['0xF7=8000008000008000'])), /missing 0x88/);
});
bme('refuses a chip id that is not a BME280/BMP280', () => {
  const regs = parseI2cdump(readFileSync(new URL('i2cdump-bme280-000.txt', FIX), 'utf8'));
  regs.set(0xd0, 0x61);
  assert.throws(() => decodeBmeRegisters('bme280', regs), /0x61/);
});
bme('decodes as a BMP280 when the dump says 0x58, whatever chip was named', () => {
  const regs = parseI2cdump(readFileSync(new URL('i2cdump-bme280-000.txt', FIX), 'utf8'));
  regs.set(0xd0, 0x58);
  const r = decodeBmeRegisters('bme280', regs);
  assert.is(r.chip, 'bmp280');
  assert.equal(Object.keys(r.values), ['tempC', 'pressurePa']);
});
bme.run();

const other = suite('decodeShtFrame, decodeBh1750Raw, decodeW1Text');
other('reject inputs of the wrong size or range as input errors', () => {
  assert.throws(() => decodeShtFrame('sht4x', Uint8Array.of(1, 2)), isInputError);
  assert.throws(() => decodeBh1750Raw(Uint8Array.of(1), 'h', 69), isInputError);
  assert.throws(() => decodeBh1750Raw(Uint8Array.of(1, 2), 'x', 69), isInputError);
  assert.throws(() => decodeBh1750Raw(Uint8Array.of(1, 2), 'h', 30), isInputError);
  assert.throws(() => decodeW1Text('garbage'), isInputError);
});
other('report null values with the reason', () => {
  const r = decodeShtFrame('sht4x', Uint8Array.of(0x41, 0x1b, 0xaa, 0x5b, 0x40, 0x41));
  assert.is(r.values.tempC, null);
  assert.is(r.problems[0].code, 'crc_mismatch');
});
other.run();
