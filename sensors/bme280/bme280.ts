/**
 * Bosch BME280 / BMP280 driver over `I2cBus`. Follows the BME280 data sheet rev. 1.6
 * (BST-BME280-DS002-15): §3.3 sensor modes, §5.4 registers, §9.1 measurement time.
 *
 * init(): chip id (0x60 / 0x58), soft reset, wait for NVM copy (status.im_update), calibration read,
 * configuration (ctrl_hum written before ctrl_meas, §5.4.3), then sleep (forced) or normal mode.
 * read(): in forced mode, trigger a measurement (ctrl_meas mode = 01) before every read, wait the
 * maximum measurement time and until status.measuring is clear; then one burst read 0xF4–0xFE
 * (ctrl_meas, config and the data, so the settings are checked with every reading).
 * Faults: each transfer is retried at once on a bus error (`TRANSFER_ATTEMPTS`); a chip that reset
 * itself (ctrl_meas or config back at power-on values, or asleep in normal mode) is re-initialised
 * — chip id and calibration checked again, configuration rewritten — and the read fails with
 * `ChipResetError` (counted as `chip_reset`). That evidence is the only reason for a re-init: the
 * sampler never re-initialises it for failed reads.
 */
import { BusError, ChipResetError, MeasurementTimeoutError, SensorError, WrongChipError, toSensorError } from '../errors.js';
import type { SensorDriver } from '../driver.js';
import type { I2cBus, Sleep } from '../ports.js';
import type { Reading } from '../reading.js';
import { decodeCalibration, type Calibration } from './calibration.js';
import { decodeMeasurement, decodeRawData } from './decode.js';
import {
  CALIB_00_LENGTH, CALIB_26_LENGTH, CHIP_ID_BME280, CHIP_ID_BMP280, CHIP_IDS_BMP280_SAMPLES, CONFIG_FILTER, CONFIG_T_SB,
  CTRL_MEAS_MODE, CTRL_MEAS_OSRS_P, CTRL_MEAS_OSRS_T, DATA_LENGTH_BME280, DATA_LENGTH_BMP280, FILTER_CODES, MODE_FORCED,
  MODE_NORMAL, MODE_SLEEP, OVERSAMPLING_CODES, REG_CALIB_00, REG_CALIB_26, REG_CONFIG, REG_CTRL_HUM, REG_CTRL_MEAS,
  REG_DATA, REG_ID, REG_RESET, REG_STATUS, RESET_WORD, CONFIG_SETTINGS_MASK, STANDBY_CODES, STARTUP_MS, STATUS_IM_UPDATE, STATUS_MEASURING,
  field, measurementTimeMaxMs, type FilterCoefficient, type Mode, type Oversampling, type StandbyMs,
} from './registers.js';

/** Settings written at init. Oversampling 0 disables a channel. */
export interface Bme280Settings {
  mode: Mode;
  osrsT: Oversampling;
  osrsP: Oversampling;
  /** Ignored on a BMP280. */
  osrsH: Oversampling;
  filter: FilterCoefficient;
  /** Normal mode only. */
  standbyMs: StandbyMs;
}

/** Weather-monitoring settings (data sheet §3.5.1): forced mode, ×1 everywhere, filter off. */
export const DEFAULT_BME280_SETTINGS: Bme280Settings = { mode: 'forced', osrsT: 1, osrsP: 1, osrsH: 1, filter: 0, standbyMs: 1000 };

/**
 * Attempts per bus transfer: a transfer failing with a bus error (EREMOTEIO, EIO, …) is retried at
 * once, up to this many times in all. Register reads and configuration writes are idempotent; a
 * repeated trigger restarts the conversion. Only a chip reset (ctrl_meas lost) leads to rewriting
 * the configuration, never a failed transfer.
 */
export const TRANSFER_ATTEMPTS = 3;

/** How many extra status polls after the maximum measurement time before giving up. */
export const STATUS_POLLS = 10;
/** Wait between status polls, ms. */
export const STATUS_POLL_MS = 2;

/** BME280/BMP280 over `I2cBus` (see the file header for the init and read sequence). */
export class Bme280 implements SensorDriver {
  readonly handlesFaults = true;
  /** Transfers that failed and were retried (bus flapping), since construction. */
  retriedTransfers = 0;
  /** Chip resets recognised (and answered with a re-init), since construction. */
  resetsSeen = 0;
  private calibration?: Calibration;
  private chipId?: number;

  /**
   * @param bus the I²C bus; @param address 0x76 or 0x77; @param sleep injected delay.
   */
  constructor(
    readonly id: string,
    private readonly bus: I2cBus,
    readonly address: number,
    private readonly sleep: Sleep,
    readonly settings: Bme280Settings = DEFAULT_BME280_SETTINGS,
  ) {}

  /** BME280 (humidity) or BMP280, known after `init()`. */
  get isBme280(): boolean {
    return this.chipId === CHIP_ID_BME280;
  }

  get metrics(): readonly string[] {
    const m: string[] = [];
    if (this.settings.osrsT) m.push('tempC');
    if (this.settings.osrsP) m.push('pressurePa');
    if (this.settings.osrsH && this.chipId !== CHIP_ID_BMP280) m.push('rhPct');
    return m;
  }

  /** Read the id register. @throws {WrongChipError} unless 0x60 (BME280) or 0x58/0x56/0x57 (BMP280). */
  async probe(): Promise<number> {
    const id = await this.io(`read id 0x${REG_ID.toString(16)}`, () => this.bus.readByte(this.address, REG_ID));
    const allowed = [CHIP_ID_BME280, CHIP_ID_BMP280, ...CHIP_IDS_BMP280_SAMPLES];
    if (!allowed.includes(id)) throw new WrongChipError(this.id, REG_ID, [CHIP_ID_BME280, CHIP_ID_BMP280], id);
    this.chipId = id === CHIP_ID_BME280 ? CHIP_ID_BME280 : CHIP_ID_BMP280;
    return id;
  }

  async init(): Promise<void> {
    this.calibration = undefined;
    await this.probe();
    await this.io('soft reset', () => this.bus.writeByte(this.address, REG_RESET, RESET_WORD));
    await this.sleep(STARTUP_MS);
    for (let i = 0; i < STATUS_POLLS; i++) {
      const status = await this.io('read status', () => this.bus.readByte(this.address, REG_STATUS));
      if (!field(status, STATUS_IM_UPDATE)) break;
      await this.sleep(STATUS_POLL_MS);
    }
    const calib00 = await this.block(REG_CALIB_00, CALIB_00_LENGTH);
    const calib26 = this.isBme280 ? await this.block(REG_CALIB_26, CALIB_26_LENGTH) : undefined;
    this.calibration = decodeCalibration(calib00, calib26);
    await this.configure();
  }

  /** Write config (in sleep mode), ctrl_hum, then ctrl_meas (ctrl_hum only takes effect after it, §5.4.3). */
  async configure(): Promise<void> {
    const s = this.settings;
    const config = this.configByte();
    await this.io('write ctrl_meas (sleep)', () => this.bus.writeByte(this.address, REG_CTRL_MEAS, this.ctrlMeas(MODE_SLEEP)));
    await this.io('write config', () => this.bus.writeByte(this.address, REG_CONFIG, config));
    if (this.isBme280) await this.io('write ctrl_hum', () => this.bus.writeByte(this.address, REG_CTRL_HUM, OVERSAMPLING_CODES[s.osrsH]));
    const mode = s.mode === 'normal' ? MODE_NORMAL : MODE_SLEEP;
    await this.io('write ctrl_meas', () => this.bus.writeByte(this.address, REG_CTRL_MEAS, this.ctrlMeas(mode)));
  }

  /** The `config` byte of the settings: t_sb and filter (spi3w_en 0). */
  private configByte(): number {
    return (STANDBY_CODES[this.settings.standbyMs] << CONFIG_T_SB.shift) | (FILTER_CODES[this.settings.filter] << CONFIG_FILTER.shift);
  }

  private ctrlMeas(mode: number): number {
    const s = this.settings;
    return (OVERSAMPLING_CODES[s.osrsT] << CTRL_MEAS_OSRS_T.shift) | (OVERSAMPLING_CODES[s.osrsP] << CTRL_MEAS_OSRS_P.shift) | (mode << CTRL_MEAS_MODE.shift);
  }

  /** Maximum measurement time of the configured oversampling, ms (§9.1). */
  get measurementTimeMs(): number {
    const s = this.settings;
    return measurementTimeMaxMs(s.osrsT, s.osrsP, this.isBme280 ? s.osrsH : 0);
  }

  async read(): Promise<Reading> {
    const cal = this.calibration;
    if (!cal) throw new SensorError(this.id, 'read before init');
    if (this.settings.mode === 'forced') {
      if (this.isBme280) await this.io('write ctrl_hum', () => this.bus.writeByte(this.address, REG_CTRL_HUM, OVERSAMPLING_CODES[this.settings.osrsH]));
      await this.io('trigger forced measurement', () => this.bus.writeByte(this.address, REG_CTRL_MEAS, this.ctrlMeas(MODE_FORCED)));
      await this.sleep(Math.ceil(this.measurementTimeMs));
      await this.awaitIdle();
    }
    // One burst from ctrl_meas (0xF4) through the data: the settings come back with the data, so a
    // chip reset shows without an extra transfer.
    const dataLength = this.isBme280 ? DATA_LENGTH_BME280 : DATA_LENGTH_BMP280;
    const burst = await this.block(REG_CTRL_MEAS, REG_DATA - REG_CTRL_MEAS + dataLength);
    const evidence = this.resetEvidence(burst[0], burst[REG_CONFIG - REG_CTRL_MEAS]);
    if (evidence) {
      const changed = await this.reinitAfterReset();
      throw new ChipResetError(this.id, `${evidence} (chip reset?): re-initialised${changed}`);
    }
    const s = this.settings;
    return decodeMeasurement(decodeRawData(burst.subarray(REG_DATA - REG_CTRL_MEAS)), cal, { temperature: s.osrsT > 0, pressure: s.osrsP > 0, humidity: s.osrsH > 0 });
  }

  /**
   * Evidence that the chip reset itself (a brown-out, a re-plug): ctrl_meas lost the oversampling we
   * wrote (power-on value 0x00), the chip is asleep though configured for normal mode, or config lost
   * t_sb/filter (power-on value 0x00). @returns what was seen, or undefined when the settings hold.
   */
  private resetEvidence(ctrlMeas: number, config: number): string | undefined {
    const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
    const expectedOsrs = this.ctrlMeas(0);
    if ((ctrlMeas & ~CTRL_MEAS_MODE.mask) !== expectedOsrs) return `ctrl_meas reads ${hex(ctrlMeas)} instead of ${hex(expectedOsrs)}`;
    if (this.settings.mode === 'normal' && field(ctrlMeas, CTRL_MEAS_MODE) !== MODE_NORMAL) return `ctrl_meas reads ${hex(ctrlMeas)}: sleep mode, configured normal`;
    const expectedConfig = this.configByte();
    if ((config & CONFIG_SETTINGS_MASK) !== expectedConfig) return `config reads ${hex(config)} instead of ${hex(expectedConfig)}`;
    return undefined;
  }

  /** Full init after evidence of a chip reset; says what differs from before (another chip swapped in?). */
  private async reinitAfterReset(): Promise<string> {
    const before = { chipId: this.chipId, calibration: JSON.stringify(this.calibration) };
    await this.init();
    this.resetsSeen++;
    const changes: string[] = [];
    if (this.chipId !== before.chipId) changes.push(`chip id now 0x${this.chipId?.toString(16)}`);
    if (JSON.stringify(this.calibration) !== before.calibration) changes.push('calibration differs (another chip?)');
    return changes.length ? ` (${changes.join('; ')})` : '';
  }

  /** Poll status.measuring until clear. @throws {MeasurementTimeoutError} when it stays set. */
  private async awaitIdle(): Promise<void> {
    for (let i = 0; i < STATUS_POLLS; i++) {
      const status = await this.io('read status', () => this.bus.readByte(this.address, REG_STATUS));
      if (!field(status, STATUS_MEASURING)) return;
      await this.sleep(STATUS_POLL_MS);
    }
    throw new MeasurementTimeoutError(this.id, `status.measuring still set ${Math.ceil(this.measurementTimeMs) + STATUS_POLLS * STATUS_POLL_MS} ms after the trigger`);
  }

  async close(): Promise<void> {
    this.calibration = undefined;
  }

  private async block(register: number, length: number): Promise<Uint8Array> {
    const buffer = Buffer.alloc(length);
    const r = await this.io(`read ${length} bytes at 0x${register.toString(16)}`, () => this.bus.readI2cBlock(this.address, register, length, buffer));
    if (r.bytesRead !== length) throw new SensorError(this.id, `read ${r.bytesRead} bytes at 0x${register.toString(16)}, expected ${length}`);
    return new Uint8Array(buffer);
  }

  /** One transfer, retried at once on a bus error (`TRANSFER_ATTEMPTS` in all). */
  private async io<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const error = toSensorError(this.id, operation, err);
        if (!(error instanceof BusError) || attempt >= TRANSFER_ATTEMPTS) throw error;
        this.retriedTransfers++;
      }
    }
  }
}
