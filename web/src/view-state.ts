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
