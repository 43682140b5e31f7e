/**
 * Intervals as config files write them: `30s`, `5m`, `1h`, plus the two cron forms earlier configs
 * used for "every N minutes" (`* * * * *`, `*\/5 * * * *`). Pure.
 */

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Parse an interval into ms.
 * @example parseEveryMs('5m') === 300_000; parseEveryMs('* * * * *') === 60_000
 * @throws {RangeError} naming the value and the forms allowed.
 */
export function parseEveryMs(text: string): number {
  const duration = /^([1-9]\d*)\s*(s|m|min|h)$/.exec(text.trim());
  if (duration) return Number(duration[1]) * UNIT_MS[duration[2]];
  if (/^\*( \*){4}$/.test(text.trim())) return UNIT_MS.m;
  const everyMinutes = /^\*\/([1-9]\d*)( \*){4}$/.exec(text.trim());
  if (everyMinutes) return Number(everyMinutes[1]) * UNIT_MS.m;
  throw new RangeError(
    `interval ${JSON.stringify(text)} is not valid; expected a duration like "30s", "5m" or "1h" (or the cron forms "* * * * *" and "*/N * * * *", every N minutes)`,
  );
}
