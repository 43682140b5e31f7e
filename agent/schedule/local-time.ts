/**
 * Local calendar time of an instant in an IANA time zone, through `Intl` (no time-zone arithmetic of
 * our own: the platform's tz database decides offsets and DST). Pure.
 */

/** An instant as the local clock of a zone shows it. */
export interface LocalTime {
  /** Local calendar date `YYYY-MM-DD` (sorts as a string). */
  date: string;
  /** Milliseconds since local midnight as the clock shows it (0 … 86 399 999). */
  msOfDay: number;
}

const DAY_MS = 86_400_000;

/**
 * A function giving the local time of epoch-ms instants in `timeZone` (e.g. `Europe/London`).
 * @throws {RangeError} when `timeZone` is not a zone `Intl` knows, naming it.
 */
export function localTimeIn(timeZone: string): (tsMs: number) => LocalTime {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  } catch (err) {
    throw new RangeError(`time zone ${JSON.stringify(timeZone)} is unknown; expected an IANA name such as "Europe/London" or "UTC"`, { cause: err });
  }
  return (tsMs) => {
    const part: Record<string, string> = {};
    for (const p of format.formatToParts(tsMs)) part[p.type] = p.value;
    const msInSecond = ((tsMs % 1000) + 1000) % 1000; // zone offsets are whole seconds
    return {
      date: `${part.year}-${part.month}-${part.day}`,
      msOfDay: ((Number(part.hour) * 60 + Number(part.minute)) * 60 + Number(part.second)) * 1000 + msInSecond,
    };
  };
}

/** The calendar date `days` after `date` (`YYYY-MM-DD`; negative goes back). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Parse a local time of day `HH:MM` (24 h) into ms after local midnight.
 * @throws {RangeError} naming the value and the format allowed.
 */
export function parseTimeOfDay(text: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new RangeError(`time of day ${JSON.stringify(text)} is not valid; expected HH:MM, 00:00 to 23:59`);
  return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
}
