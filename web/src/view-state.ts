/**
 * The dashboard's view state (window, detail, device) and its round trip through the page URL
 * (`?window=1d&samples=100&device=pi-kitchen`), so a link reproduces the view. Pure: works on
 * `URLSearchParams`, never on `location`.
 */
import {
  GRANULARITIES, ID_PATTERN, WINDOW_NAMES, isGranularity, isWindow, type Granularity, type Window,
} from '../../builder/constants.js';

/** The first view when the URL names nothing: one day at 100 points. */
export const DEFAULT_WINDOW: Window = '1d';
export const DEFAULT_SAMPLES: Granularity = 100;

/** What the page shows. `device` is `undefined` for the API's default (configured/only) device. */
export interface ViewState {
  readonly window: Window;
  readonly samples: Granularity;
  readonly device: string | undefined;
}

/** A parsed view plus what was wrong with the URL, in words (shown to the user, never thrown). */
export interface ParsedView {
  readonly state: ViewState;
  readonly problems: string[];
}

/**
 * Read the view from page query parameters.
 * `devices` are the ids the page knows (config.json); `?device=` may name another valid id.
 * Unknown or malformed values fall back to the defaults and are reported in `problems`.
 */
export function parseViewState(params: URLSearchParams, devices: readonly string[]): ParsedView {
  const problems: string[] = [];
  let window: Window = DEFAULT_WINDOW;
  const w = params.get('window');
  if (w !== null) {
    if (isWindow(w)) window = w;
    else problems.push(`window=${w} is not offered; allowed: ${WINDOW_NAMES.join(', ')}. Showing ${DEFAULT_WINDOW}.`);
  }
  let samples: Granularity = DEFAULT_SAMPLES;
  const s = params.get('samples');
  if (s !== null) {
    const n = /^[0-9]{1,4}$/.test(s) ? Number(s) : NaN;
    if (isGranularity(n)) samples = n;
    else problems.push(`samples=${s} is not offered; allowed: ${GRANULARITIES.join(', ')}. Showing ${DEFAULT_SAMPLES}.`);
  }
  let device: string | undefined = devices[0];
  const d = params.get('device');
  if (d !== null) {
    if (ID_PATTERN.test(d)) device = d;
    else problems.push(`device=${d} is not a valid device id (letters, digits and ._:-, up to 64).`);
  }
  return { state: { window, samples, device }, problems };
}

/**
 * Write `state` into a copy of `params` (other parameters such as `api` are kept) and return the
 * query string with its leading `?`.
 */
export function viewStateToSearch(state: ViewState, params: URLSearchParams): string {
  const next = new URLSearchParams(params);
  next.set('window', state.window);
  next.set('samples', String(state.samples));
  if (state.device === undefined) next.delete('device');
  else next.set('device', state.device);
  return `?${next.toString()}`;
}

/** The device ids to offer: config.json's list plus a `?device=` not in it, without repeats. */
export function deviceChoices(configured: readonly string[], state: ViewState): string[] {
  const all = [...configured];
  if (state.device !== undefined && !all.includes(state.device)) all.push(state.device);
  return all;
}

/** A custom span shown instead of the window's snapshot (a drag-zoom or the From/To inputs), epoch ms, `fromMs < toMs`. */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** `2019-09-30T13:00:00Z`: an instant as the page URL carries it (UTC, whole-second ISO without `.000`). */
export function instantParam(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** An instant from the URL: ISO 8601 with a zone (`2019-09-30T13:00:00Z`, `…+02:00`) or epoch ms; NaN otherwise. */
function parseInstantParam(value: string): number {
  if (/^[0-9]{1,15}$/.test(value)) return Number(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
}

/**
 * Read a custom range from `?from=&to=` (ISO 8601 with a zone, or epoch ms; both or neither).
 * @returns the range, or `undefined` with the problems in words when it is absent or unusable.
 */
export function parseRangeParams(params: URLSearchParams): { range: TimeRange | undefined; problems: string[] } {
  const from = params.get('from');
  const to = params.get('to');
  if (from === null && to === null) return { range: undefined, problems: [] };
  if (from === null || to === null) return { range: undefined, problems: [`A custom range needs both from= and to=; got only ${from === null ? 'to' : 'from'}. Showing the window.`] };
  const fromMs = parseInstantParam(from);
  const toMs = parseInstantParam(to);
  const problems: string[] = [];
  for (const [name, v, ms] of [['from', from, fromMs], ['to', to, toMs]] as const) {
    if (!Number.isFinite(ms)) problems.push(`${name}=${v} is not a date: use ISO 8601 with a zone (2019-09-30T13:00:00Z) or epoch ms. Showing the window.`);
  }
  if (problems.length === 0 && fromMs >= toMs) problems.push(`from=${from} is not before to=${to}. Showing the window.`);
  return problems.length ? { range: undefined, problems } : { range: { fromMs, toMs }, problems };
}

/** Write `range` into a copy of `params` as `from`/`to` (or remove them for `undefined`); returns the query with its `?`. */
export function rangeToSearch(range: TimeRange | undefined, params: URLSearchParams): string {
  const next = new URLSearchParams(params);
  if (range) {
    next.set('from', instantParam(range.fromMs));
    next.set('to', instantParam(range.toMs));
  } else {
    next.delete('from');
    next.delete('to');
  }
  return `?${next.toString()}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The From/To inputs' format. They are text inputs in ISO order, the same in every locale: Chromium
 * draws `<input type="datetime-local">` in the browser's UI language (mm/dd/yyyy in a default
 * headless or en-US browser), whatever the page's `lang` or `navigator.language` say.
 */
export const RANGE_INPUT_FORMAT = 'YYYY-MM-DD HH:MM';

/** `ms` as a From/To input value in the browser's zone, to the minute: `2019-09-30 15:00`. `roundUp` takes the next minute when seconds remain (a range's end). */
export function localInputValue(ms: number, roundUp = false): string {
  const d = new Date(roundUp ? Math.ceil(ms / 60_000) * 60_000 : Math.floor(ms / 60_000) * 60_000);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A range in the From/To inputs' words, local time to the minute (start rounded down, end up, as the
 * inputs show it): `2019-09-30 17:10 – 17:50`, or with both dates when the range spans midnight.
 */
export function rangeText(fromMs: number, toMs: number): string {
  const from = localInputValue(fromMs);
  const to = localInputValue(toMs, true);
  return `${from} – ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to}`;
}

/** A local date-time typed into a From/To input (`YYYY-MM-DD HH:MM[:SS]`, also with `T`, the browser's zone) → epoch ms; NaN when empty or not a real date. */
function parseLocalInput(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ]\s*(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/.exec(text.trim());
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  const date = new Date(y, mo - 1, d, h, mi, s);
  // new Date rolls over (Feb 30 → Mar 2; 25:00 → next day): a real date reads back the same fields.
  const isReal = date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d && date.getHours() === h && date.getMinutes() === mi;
  return isReal ? date.getTime() : NaN;
}

/**
 * The range typed into the From/To inputs (local date-times), or what is wrong with it in words:
 * an empty or invalid date, or From not before To.
 */
export function parseRangeInputs(fromText: string, toText: string): { range: TimeRange } | { error: string } {
  const fromMs = parseLocalInput(fromText);
  const toMs = parseLocalInput(toText);
  const bad = (name: string, text: string) => (text.trim() === '' ? `${name} is empty (${RANGE_INPUT_FORMAT})` : `${name} (${text.trim()}) is not a date and time as ${RANGE_INPUT_FORMAT}, e.g. 2019-09-30 17:10`);
  if (Number.isNaN(fromMs) && Number.isNaN(toMs)) return { error: `${bad('From', fromText)}; ${bad('To', toText)}.` };
  if (Number.isNaN(fromMs)) return { error: `${bad('From', fromText)}.` };
  if (Number.isNaN(toMs)) return { error: `${bad('To', toText)}.` };
  if (fromMs >= toMs) return { error: `From (${fromText.trim().replace('T', ' ')}) must be before To (${toText.trim().replace('T', ' ')}).` };
  return { range: { fromMs, toMs } };
}
