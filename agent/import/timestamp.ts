/**
 * Timestamp styles the importer reads, their detection from a sample value, and conversion of naive
 * wall-clock times to UTC epoch ms through a fixed offset or an IANA zone (via `Intl`). Pure.
 */

/**
 * - `iso`: ISO 8601 / RFC 3339 date-time (`2024-11-25T19:09:51+00:00`, `2017-02-15 00:10:00`,
 *   `…Z`, fraction optional); without a zone it is wall-clock time in the import's zone.
 * - `epoch-s`: Unix seconds, integer or decimal (`1488327000`, `1538323724.133`).
 * - `epoch-ms`: Unix milliseconds, integer.
 * - `ymd-hms`: `YYYY-MM-DD-H:M:S.f` with unpadded H, M, S and the fraction read as a millisecond
 *   count (`20:40:0.874` → 874 ms, `.99` → 99 ms; see datasets/fridge-9probe/SOURCE.md), wall-clock.
 */
export type TimestampStyle = 'iso' | 'epoch-s' | 'epoch-ms' | 'ymd-hms';
export const TIMESTAMP_STYLES: readonly TimestampStyle[] = ['iso', 'epoch-s', 'epoch-ms', 'ymd-hms'];

/** Where wall-clock times are: UTC, a fixed offset in minutes east of UTC, or an IANA zone name. */
export type Zone = { kind: 'utc' } | { kind: 'offset'; offsetMin: number } | { kind: 'iana'; name: string };

/** Epoch numbers from 1e11 on are read as milliseconds (1e11 s is year 5138; 1e11 ms is 1973). */
export const EPOCH_MS_THRESHOLD = 1e11;
/** Smaller numbers are not detected as epoch time (1e8 s is 1973): a value column is not a clock. `--ts-format` still reads them. */
export const EPOCH_S_MIN = 1e8;

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const YMD_HMS_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})-(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,3}))?$/;
const EPOCH_RE = /^\d{1,16}(\.\d+)?$/;

/** The style `text` is written in, or undefined when it is none of them. */
export function detectTimestampStyle(text: string): TimestampStyle | undefined {
  const t = text.trim();
  if (ISO_RE.test(t)) return 'iso';
  if (YMD_HMS_RE.test(t)) return 'ymd-hms';
  if (EPOCH_RE.test(t) && Number(t) >= EPOCH_S_MIN) return Number(t) >= EPOCH_MS_THRESHOLD ? 'epoch-ms' : 'epoch-s';
  return undefined;
}

/** True when timestamps of this text carry their own zone (`Z` or `±hh:mm`). */
export function hasExplicitZone(text: string): boolean {
  const m = ISO_RE.exec(text.trim());
  return Boolean(m?.[8]);
}

/**
 * Parse `+01:00`, `-0530`, `+1` or `Z` into minutes east of UTC.
 * @returns undefined when the text is not an offset.
 */
export function parseUtcOffset(text: string): number | undefined {
  if (/^z$/i.test(text)) return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text.trim());
  if (!m || Number(m[2]) > 14 || Number(m[3] ?? 0) > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** True when `name` is an IANA zone the runtime knows (`Europe/Berlin`). */
export function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `zone` from UTC at the instant `utcMs`, in ms (positive east of UTC). */
function ianaOffsetMs(zone: string, utcMs: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(utcMs).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/**
 * Wall-clock fields in `zone` → epoch ms UTC. For an IANA zone, a time in a DST gap or fold resolves
 * with the offset in force just before the transition (documented, not guessed per row).
 */
export function wallClockToUtcMs(wallMs: number, zone: Zone): number {
  if (zone.kind === 'utc') return wallMs;
  if (zone.kind === 'offset') return wallMs - zone.offsetMin * 60_000;
  const first = wallMs - ianaOffsetMs(zone.name, wallMs);
  const second = wallMs - ianaOffsetMs(zone.name, first);
  return second;
}

function wallMsOf(y: string, mo: string, d: string, h: string, mi: string, s: string | undefined, msField: number): number | undefined {
  const [Y, M, D, H, I, S] = [y, mo, d, h, mi, s ?? '0'].map(Number);
  if (M < 1 || M > 12 || D < 1 || D > 31 || H > 23 || I > 59 || S > 60) return undefined;
  const ms = Date.UTC(Y, M - 1, D, H, I, S, msField);
  const check = new Date(Date.UTC(Y, M - 1, D));
  return check.getUTCDate() === D ? ms : undefined;
}

/**
 * Parse one timestamp in `style` to integer epoch ms UTC. `zone` applies to wall-clock styles
 * (`ymd-hms`, and `iso` without its own zone); an explicit zone in the text wins.
 * @returns undefined when the text is not a valid timestamp of that style.
 */
export function parseTimestamp(text: string, style: TimestampStyle, zone: Zone): number | undefined {
  const t = text.trim();
  switch (style) {
    case 'epoch-s':
    case 'epoch-ms': {
      if (!EPOCH_RE.test(t)) return undefined;
      return Math.round(style === 'epoch-s' ? Number(t) * 1000 : Number(t));
    }
    case 'ymd-hms': {
      const m = YMD_HMS_RE.exec(t);
      if (!m) return undefined;
      const wall = wallMsOf(m[1], m[2], m[3], m[4], m[5], m[6], Number(m[7] ?? 0));
      return wall === undefined ? undefined : wallClockToUtcMs(wall, zone);
    }
    case 'iso': {
      const m = ISO_RE.exec(t);
      if (!m) return undefined;
      const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
      const wall = wallMsOf(m[1], m[2], m[3], m[4], m[5], m[6], frac);
      if (wall === undefined) return undefined;
      if (!m[8]) return wallClockToUtcMs(wall, zone);
      const off = parseUtcOffset(m[8].length === 5 && !m[8].includes(':') ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8]);
      return off === undefined ? undefined : wall - off * 60_000;
    }
  }
}

/** `Zone` as people read it: `UTC`, `UTC+01:00`, `Europe/Berlin`. */
export function describeZone(zone: Zone): string {
  if (zone.kind === 'utc') return 'UTC';
  if (zone.kind === 'iana') return zone.name;
  const a = Math.abs(zone.offsetMin);
  return `UTC${zone.offsetMin < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
