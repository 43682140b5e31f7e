/**
 * Reading a column header as a quantity and a unit: `temperature (*C)`, `Temp [°C]`, `pressure (hPa)`,
 * `humidity (%)`, `wind_speed (km/h)`, `wind_kmh`, `battery_v`. The unit is normalised to the
 * spelling of `units.ts` (`*C`, `°C`, `degC` → `C`; `km/h`, `kmh`, `kph` → `km/h`) and the name to a
 * metric through `HEADER_ALIASES`; a header whose name is unknown but whose unit names one quantity
 * only (`living room (°C)`, `V_bat [V]`) takes that quantity. Pure.
 */
import { isMetric, type Metric } from '../../builder/metrics.js';

/** Header names recognised without options (case-insensitive, `_`/`-`/blanks ignored), besides the metric names. */
export const HEADER_ALIASES: Readonly<Record<string, Metric>> = {
  temperature: 'tempC', temp: 'tempC', humidity: 'rhPct', rh: 'rhPct', hum: 'rhPct', relativehumidity: 'rhPct',
  pressure: 'pressurePa', press: 'pressurePa', baro: 'pressurePa', airpressure: 'pressurePa',
  illuminance: 'illuminanceLux', lux: 'illuminanceLux',
  rain: 'rainMm', rainfall: 'rainMm', precipitation: 'rainMm', distance: 'distanceCm',
  voltage: 'voltageV', volt: 'voltageV', volts: 'voltageV', battery: 'voltageV', batt: 'voltageV', vbat: 'voltageV', vbatt: 'voltageV', batteryvoltage: 'voltageV',
  current: 'currentA', amps: 'currentA', co2: 'co2Ppm', eco2: 'co2Ppm',
  pm25: 'pm25Ugm3', pm10: 'pm10Ugm3',
  windspeed: 'windMs', wind: 'windMs', windspd: 'windMs', wspd: 'windMs', ws: 'windMs',
  winddirection: 'windDirDeg', winddir: 'windDirDeg', wdir: 'windDirDeg', wd: 'windDirDeg', direction: 'windDirDeg', dir: 'windDirDeg', winddircode: 'windDirDeg', bearing: 'windDirDeg',
};

/** Unit spellings seen in loggers' headers → the unit names of `units.ts`. Keys are lower-case. */
const UNIT_SPELLINGS: Readonly<Record<string, string>> = {
  c: 'C', '°c': 'C', '*c': 'C', degc: 'C', 'deg c': 'C', 'ºc': 'C', celsius: 'C', '℃': 'C',
  f: 'F', '°f': 'F', '*f': 'F', degf: 'F', fahrenheit: 'F', k: 'K', kelvin: 'K',
  '%': '%', '%rh': '%', '% rh': '%', pct: '%', percent: '%',
  pa: 'Pa', hpa: 'hPa', mbar: 'mbar', mb: 'mbar', kpa: 'kPa', inhg: 'inHg',
  lx: 'lx', lux: 'lx', mm: 'mm', cm: 'cm', m: 'm',
  'km/h': 'km/h', kmh: 'km/h', kph: 'km/h', 'm/s': 'm/s', ms: 'm/s', mps: 'm/s', mph: 'mph', kn: 'kn', kt: 'kn', knots: 'kn',
  v: 'V', mv: 'mV', a: 'A', ma: 'mA', ppm: 'ppm',
  'µg/m³': 'µg/m³', 'μg/m³': 'µg/m³', 'ug/m3': 'µg/m³', 'µg/m3': 'µg/m³', 'μg/m3': 'µg/m³', ugm3: 'µg/m³',
  '°': '°', deg: '°', degrees: '°', compass: 'compass16', compass16: 'compass16', '0-15': 'compass16', code: 'compass16',
};

/** Units that name one quantity only, so a header with an unknown name still maps (`living room (°C)`). */
const METRIC_OF_UNIT: Readonly<Record<string, Metric>> = {
  C: 'tempC', F: 'tempC', K: 'tempC', hPa: 'pressurePa', mbar: 'pressurePa', kPa: 'pressurePa', inHg: 'pressurePa', lx: 'illuminanceLux',
  V: 'voltageV', mV: 'voltageV', A: 'currentA', mA: 'currentA', ppm: 'co2Ppm',
  'm/s': 'windMs', 'km/h': 'windMs', mph: 'windMs', kn: 'windMs', '°': 'windDirDeg', compass16: 'windDirDeg',
};

/** Suffixes read as a unit after `_` (`wind_kmh`, `pressure_hpa`, `temp_c`); only these, so `field_a` stays a name. */
const UNIT_SUFFIXES = ['c', 'f', 'k', 'pct', 'hpa', 'pa', 'mbar', 'kpa', 'lux', 'lx', 'kmh', 'kph', 'mph', 'v', 'mv', 'ma', 'ppm', 'ugm3', 'deg', 'mm', 'cm'];

/** A header split into its name and the unit it carries (normalised), if any. */
export interface HeaderParts {
  name: string;
  /** Unit as written (`*C`), for messages. */
  unitText?: string;
  /** Unit as `units.ts` spells it (`C`), or undefined when the spelling is unknown. */
  unit?: string;
  /** The unit was in brackets (`(°C)`), not a `_c` suffix: only then may it name the quantity by itself. */
  isBracketed?: boolean;
}

/** `temperature (*C)` → `{ name: 'temperature', unitText: '*C', unit: 'C' }`; `wind_kmh` → `{ name: 'wind', unit: 'km/h' }`. */
export function splitHeader(header: string): HeaderParts {
  const h = header.trim();
  const bracket = /^(.*?)\s*[([]\s*([^)\]]+?)\s*[)\]]\s*$/.exec(h);
  if (bracket && bracket[1] !== '') return { name: bracket[1], unitText: bracket[2], unit: normaliseUnit(bracket[2]), isBracketed: true };
  const suffix = /^(.+?)[_ -]([A-Za-z0-9]+)$/.exec(h);
  if (suffix && UNIT_SUFFIXES.includes(suffix[2].toLowerCase())) return { name: suffix[1], unitText: suffix[2], unit: normaliseUnit(suffix[2]) };
  return { name: h };
}

/** A unit as written in a header → the spelling of `units.ts`, or undefined. */
export function normaliseUnit(text: string): string | undefined {
  const t = text.trim().toLowerCase().replace(/³/g, '3').replace(/μ/g, 'µ');
  return UNIT_SPELLINGS[t] ?? UNIT_SPELLINGS[t.replace(/3$/, '³')] ?? UNIT_SPELLINGS[t.replace(/\s+/g, '')];
}

const key = (name: string) => name.toLowerCase().replace(/[\s_\-.]+/g, '');

/**
 * The metric a header's name (and unit) denotes, or undefined. Tried in order: a metric name
 * (`tempC`), an alias of the whole name (`Temperature`, `wind_speed`), a bracketed unit that names
 * one quantity (`living room (°C)`), then an alias of the name's first word (`Temp, living room`).
 * A `_suffix` unit never names the quantity by itself (`field_c` stays unknown).
 */
export function metricOfHeader(parts: HeaderParts): Metric | undefined {
  const n = parts.name.trim();
  if (isMetric(n)) return n;
  const whole = HEADER_ALIASES[key(n)];
  if (whole) return whole;
  const byUnit = parts.isBracketed && parts.unit ? METRIC_OF_UNIT[parts.unit] : undefined;
  if (byUnit) return byUnit;
  const firstWord = /^[A-Za-z0-9]+/.exec(n)?.[0];
  return firstWord && firstWord.length > 1 ? HEADER_ALIASES[key(firstWord)] : undefined;
}

/** True when the header's name is exactly a metric or an alias (its series keeps the metric's name). */
export function isPlainMetricName(parts: HeaderParts): boolean {
  const n = parts.name.trim();
  return isMetric(n) || Boolean(HEADER_ALIASES[key(n)]);
}

/** A header as a series name: letters, digits and `_` (`Temp, living room` → `Temp_living_room`). */
export function seriesNameOf(header: string): string {
  return header.trim().replace(/[^A-Za-z0-9._:-]+/g, '_').replace(/^[^A-Za-z0-9]+|_+$/g, '').slice(0, 48) || 'value';
}
