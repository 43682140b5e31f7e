/**
 * BME280/BMP280 trimming parameters ("calibration"), decoded once at init. Follows the BME280 data
 * sheet rev. 1.6, §4.2.2 "Trimming parameter readout", Table 16.
 *
 * Words in the calibration area are little-endian (LSB at the lower address). 0xA0 is reserved and
 * ignored. dig_H4 and dig_H5 are signed 12-bit values sharing register 0xE5: dig_H4 = 0xE4[7:0] << 4 |
 * 0xE5[3:0], dig_H5 = 0xE6[7:0] << 4 | 0xE5[7:4], both with the sign taken from the full register byte
 * (0xE4 / 0xE6). dig_H6 (0xE7) is a signed char.
 */

/** The trimming parameters with their data sheet names (dig_T1 → digT1). */
export interface Calibration {
  digT1: number; digT2: number; digT3: number;
  digP1: number; digP2: number; digP3: number; digP4: number; digP5: number;
  digP6: number; digP7: number; digP8: number; digP9: number;
  /** Humidity trimming; absent for a BMP280. */
  humidity?: HumidityCalibration;
}

export interface HumidityCalibration {
  digH1: number; digH2: number; digH3: number; digH4: number; digH5: number; digH6: number;
}

const u16le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const s16le = (b: Uint8Array, i: number): number => (u16le(b, i) << 16) >> 16;
const s8 = (v: number): number => (v << 24) >> 24;

/**
 * Decode calib00..calib25 (26 bytes read from 0x88) and, for a BME280, calib26..calib32 (7 bytes
 * from 0xE1).
 * @throws {RangeError} when a block has the wrong length (a programming error, not a bus fault).
 * @see data sheet §4.2.2, Table 16.
 */
export function decodeCalibration(calib00: Uint8Array, calib26?: Uint8Array): Calibration {
  if (calib00.length !== 26) throw new RangeError(`calibration block 0x88–0xA1: ${calib00.length} bytes, expected 26`);
  const c = calib00;
  const cal: Calibration = {
    digT1: u16le(c, 0), digT2: s16le(c, 2), digT3: s16le(c, 4),
    digP1: u16le(c, 6), digP2: s16le(c, 8), digP3: s16le(c, 10), digP4: s16le(c, 12), digP5: s16le(c, 14),
    digP6: s16le(c, 16), digP7: s16le(c, 18), digP8: s16le(c, 20), digP9: s16le(c, 22),
    // c[24] is register 0xA0: reserved.
  };
  if (calib26 === undefined) return cal;
  if (calib26.length !== 7) throw new RangeError(`calibration block 0xE1–0xE7: ${calib26.length} bytes, expected 7`);
  const h = calib26;
  cal.humidity = {
    digH1: c[25], // 0xA1, unsigned char
    digH2: s16le(h, 0), // 0xE1/0xE2
    digH3: h[2], // 0xE3, unsigned char
    digH4: (s8(h[3]) * 16) | (h[4] & 0x0f), // 0xE4[7:0] / 0xE5[3:0]
    digH5: (s8(h[5]) * 16) | (h[4] >> 4), // 0xE6[7:0] / 0xE5[7:4]
    digH6: s8(h[6]), // 0xE7, signed char
  };
  return cal;
}
