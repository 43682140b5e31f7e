/**
 * Bosch BME280 (and BMP280) register map. Follows "BME280 Data sheet", BST-BME280-DS002-15,
 * revision 1.6 (September 2018), §5 "Global memory map and register description"; the BMP280 (data
 * sheet BST-BMP280-DS001) has the same map without the humidity registers.
 */

/** I²C address with SDO to GND; 0x77 with SDO to VDDIO (§6.2). */
export const BME280_ADDRESS = 0x76;
export const BME280_ADDRESS_ALT = 0x77;

/** `id` register (§5.4.1): chip id 0x60 for BME280, 0x58 for BMP280 (mass production). */
export const REG_ID = 0xd0;
export const CHIP_ID_BME280 = 0x60;
export const CHIP_ID_BMP280 = 0x58;
/** Early BMP280 samples reported 0x56/0x57 (BMP280 data sheet §4.3.1). */
export const CHIP_IDS_BMP280_SAMPLES = [0x56, 0x57] as const;

/** `reset` register (§5.4.2): writing 0xB6 performs a power-on reset. */
export const REG_RESET = 0xe0;
export const RESET_WORD = 0xb6;
/** Start-up time after power-on/soft reset, 2 ms max (Table 1, t_startup). */
export const STARTUP_MS = 2;

/** Calibration block 1: calib00..calib25 at 0x88–0xA1 (26 bytes; 0xA0 is reserved) (§4.2.2, Table 16). */
export const REG_CALIB_00 = 0x88;
export const CALIB_00_LENGTH = 26;
/** Calibration block 2: calib26..calib32 at 0xE1–0xE7 (7 bytes, humidity only) (Table 16). */
export const REG_CALIB_26 = 0xe1;
export const CALIB_26_LENGTH = 7;

/** `ctrl_hum` (§5.4.3): osrs_h[2:0]. Takes effect only after a write to ctrl_meas. */
export const REG_CTRL_HUM = 0xf2;
/** `status` (§5.4.4): measuring[3] (conversion running), im_update[0] (NVM copying). */
export const REG_STATUS = 0xf3;
export const STATUS_MEASURING = { shift: 3, mask: 0x01 } as const;
export const STATUS_IM_UPDATE = { shift: 0, mask: 0x01 } as const;
/** `ctrl_meas` (§5.4.5): osrs_t[7:5], osrs_p[4:2], mode[1:0]. */
export const REG_CTRL_MEAS = 0xf4;
export const CTRL_MEAS_OSRS_T = { shift: 5, mask: 0x07 } as const;
export const CTRL_MEAS_OSRS_P = { shift: 2, mask: 0x07 } as const;
export const CTRL_MEAS_MODE = { shift: 0, mask: 0x03 } as const;
/** `config` (§5.4.6): t_sb[7:5], filter[4:2], spi3w_en[0]. Writes in normal mode may be ignored. */
export const REG_CONFIG = 0xf5;
export const CONFIG_T_SB = { shift: 5, mask: 0x07 } as const;
export const CONFIG_FILTER = { shift: 2, mask: 0x07 } as const;
/** The bits of `config` our settings write (t_sb, filter); bit 1 is reserved, bit 0 spi3w_en. */
export const CONFIG_SETTINGS_MASK = 0xfc;

/** Data block press_msb 0xF7 … hum_lsb 0xFE, read in one burst (§4, §5.4.7–5.4.9). */
export const REG_DATA = 0xf7;
export const DATA_LENGTH_BME280 = 8;
/** The BMP280 has no humidity registers: 0xF7–0xFC. */
export const DATA_LENGTH_BMP280 = 6;

/** Value of adc_T / adc_P when that measurement was skipped (osrs = 0) (§5.4.7, §5.4.8). */
export const RAW_SKIPPED = 0x80000;
/** Value of adc_H when the humidity measurement was skipped (§5.4.9). */
export const RAW_H_SKIPPED = 0x8000;

/** Sensor modes (`mode[1:0]`, §3.3, Table 25). 0b10 is also forced mode. */
export const MODE_SLEEP = 0b00;
export const MODE_FORCED = 0b01;
export const MODE_NORMAL = 0b11;
export type Mode = 'forced' | 'normal';

/** Oversampling settings (Tables 20, 23, 24): register code → factor; code 0 skips the channel. */
export const OVERSAMPLING_CODES = { 0: 0, 1: 1, 2: 2, 4: 3, 8: 4, 16: 5 } as const;
export type Oversampling = keyof typeof OVERSAMPLING_CODES;
export const OVERSAMPLING_VALUES = [0, 1, 2, 4, 8, 16] as const;

/** IIR filter coefficient (Table 28): coefficient → filter[2:0]. */
export const FILTER_CODES = { 0: 0, 2: 1, 4: 2, 8: 3, 16: 4 } as const;
export type FilterCoefficient = keyof typeof FILTER_CODES;

/** Normal-mode standby t_standby in ms (Table 27): ms → t_sb[2:0] (BME280 values). */
export const STANDBY_CODES = { 0.5: 0, 62.5: 1, 125: 2, 250: 3, 500: 4, 1000: 5, 10: 6, 20: 7 } as const;
export type StandbyMs = keyof typeof STANDBY_CODES;

/** Read a `{ shift, mask }` field out of a register byte. */
export function field(byte: number, bitfield: { shift: number; mask: number }): number {
  return (byte >> bitfield.shift) & bitfield.mask;
}

/** Decode an oversampling code read back from ctrl_hum/ctrl_meas into its factor (codes ≥ 5 are ×16). */
export function oversamplingOf(code: number): Oversampling {
  return ([0, 1, 2, 4, 8, 16, 16, 16] as const)[code & 0x07];
}

/**
 * Maximum measurement time in ms (datasheet §9.1, "Measurement time"):
 * t_measure,max = 1.25 + [2.3·osrs_t] + [2.3·osrs_p + 0.575] + [2.3·osrs_h + 0.575],
 * where a bracket is 0 when its channel is skipped.
 */
export function measurementTimeMaxMs(osrsT: Oversampling, osrsP: Oversampling, osrsH: Oversampling): number {
  return 1.25 + (osrsT ? 2.3 * osrsT : 0) + (osrsP ? 2.3 * osrsP + 0.575 : 0) + (osrsH ? 2.3 * osrsH + 0.575 : 0);
}

/** Typical measurement time in ms (§9.1): 1 + [2·osrs_t] + [2·osrs_p + 0.5] + [2·osrs_h + 0.5]. */
export function measurementTimeTypMs(osrsT: Oversampling, osrsP: Oversampling, osrsH: Oversampling): number {
  return 1 + (osrsT ? 2 * osrsT : 0) + (osrsP ? 2 * osrsP + 0.5 : 0) + (osrsH ? 2 * osrsH + 0.5 : 0);
}
