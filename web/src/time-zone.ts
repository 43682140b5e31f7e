/**
 * Local time zone wording for the time axis: the UTC offset of the browser's zone at an instant,
 * e.g. `UTC+02:00`, and the range of offsets over a window (DST may change it). Pure.
 */

/** `UTC+02:00` / `UTC−05:30` / `UTC` for the local zone at `atMs` (epoch ms). */
export function utcOffsetLabel(atMs: number): string {
  const offsetMin = -new Date(atMs).getTimezoneOffset();
  if (offsetMin === 0) return 'UTC';
  const sign = offsetMin > 0 ? '+' : '−';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `UTC${sign}${hh}:${mm}`;
}

/** The offsets at `fromMs` and `toMs`: one label, or `UTC+01:00 → UTC+02:00` across a DST change. */
export function utcOffsetRange(fromMs: number, toMs: number): string {
  const a = utcOffsetLabel(fromMs);
  const b = utcOffsetLabel(toMs);
  return a === b ? a : `${a} → ${b}`;
}

/** The browser's IANA zone name (e.g. `Europe/Berlin`), or `undefined` when the runtime hides it. */
export function localZoneName(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}
