/**
 * The result of one sensor read: the values that may be stored, in canonical units, and the
 * problems that kept other values out. A value that is not valid is absent, never NaN/null/-1.
 */

/** Why a value was not stored. */
export type ProblemCode =
  | 'skipped' // the chip did not measure this channel (BME280 0x80000/0x8000)
  | 'crc_mismatch'
  | 'out_of_range' // outside the part's specified range
  | 'power_on_reset' // DS18B20 85 °C power-on value
  | 'invalid_config' // scratchpad config byte not one of the datasheet's values
  | 'division_by_zero' // BME280 pressure var1 == 0
  | 'malformed'
  | 'no_compensation'; // depends on a channel that is missing (BME280 t_fine)

/** One field that could not be decoded. `metric` is the canonical name (`tempC`, …) when it applies. */
export interface Problem {
  readonly code: ProblemCode;
  readonly metric?: string;
  readonly message: string;
}

/** Decoded values by canonical metric name (`tempC`, `pressurePa`, `rhPct`, `illuminanceLux`, …). */
export type Values = Partial<Record<string, number>>;

/** One read: storable `values` and the `problems` that kept other values out. */
export interface Reading {
  readonly values: Values;
  readonly problems: readonly Problem[];
}

/** Convenience: a reading with no problems. */
export const okReading = (values: Values): Reading => ({ values, problems: [] });
