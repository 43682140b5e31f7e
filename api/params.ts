/**
 * Strict parsing of request parameters: each allowed name at most once, nothing unknown, every value
 * checked against the snapshot matrix (`builder/constants.ts`). Failures are `ApiError` 400s that
 * name the parameter and what is allowed.
 */
import {
  DEFAULT_GRANULARITY, GRANULARITIES, ID_PATTERN, WINDOW_ALIASES, WINDOW_NAMES, isWindow, type Window,
} from '../builder/constants.js';
import { ApiError, badParameter, echo } from './errors.js';

/** Largest `samples` a caller may ask for: the finest prebuilt granularity. */
export const MAX_SAMPLES = 500;

/** Parameter names that select the window; exactly one must be given. */
export const WINDOW_PARAMS = ['window', 'minutes', 'hours', 'days', 'months'] as const;

/** Store version ids: S3 VersionIds are opaque URL-ready text up to 1024 characters (no `/`); sha256 hex also fits. */
export const VERSION_ID_PATTERN = /^[A-Za-z0-9._+=-]{1,1024}$/;

/** Validated parameters of `/samples/latest` and `/samples/refresh`. `device` is absent when not given. */
export interface SnapshotParams {
  window: Window;
  /** Requested points per series, 1–500. */
  samples: number;
  device?: string;
  fresh: boolean;
  versionId?: string;
}

/** Parameter names accepted by GET /samples/latest. */
export const LATEST_PARAMS = [...WINDOW_PARAMS, 'samples', 'device', 'fresh', 'versionId'] as const;
/** Parameter names accepted by GET /samples/latest/meta. */
export const META_PARAMS = [...WINDOW_PARAMS, 'samples', 'device'] as const;
/** Parameter names accepted by POST /samples/refresh. */
export const REFRESH_PARAMS = [...WINDOW_PARAMS, 'samples', 'device'] as const;

/**
 * Names a cache-buster or a link tracker uses (`_=1712345678901` from jQuery, `utm_source=…`): they
 * cannot change the answer, so every route ignores them. Any other unknown name is a 400.
 */
export const IGNORED_PARAM_PATTERN = /^(_.*|utm_[a-z]+)$/;

/**
 * Turn name/value pairs into one value per name (names matching `IGNORED_PARAM_PATTERN` skipped).
 * @throws {ApiError} 400 `unknown_parameter` or `repeated_parameter`.
 */
export function singleValues(pairs: Iterable<[string, string]>, allowed: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (IGNORED_PARAM_PATTERN.test(name) && !allowed.includes(name)) continue;
    if (!allowed.includes(name)) {
      throw new ApiError(400, 'unknown_parameter', `unknown parameter ${echo(name)}`, name.slice(0, 64), allowed);
    }
    if (values.has(name)) {
      throw new ApiError(400, 'repeated_parameter', `parameter ${name} given more than once`, name, allowed);
    }
    values.set(name, value);
  }
  return values;
}

function allowedOf(param: (typeof WINDOW_PARAMS)[number]): string[] {
  return param === 'window' ? [...WINDOW_NAMES] : Object.keys(WINDOW_ALIASES[param]);
}

/** The window named by exactly one of `window`, `minutes`, `hours`, `days`, `months`. */
export function parseWindow(values: Map<string, string>): Window {
  const given = WINDOW_PARAMS.filter((p) => values.has(p));
  if (given.length === 0) {
    throw badParameter('window', 'window is required: window=1h|10h|1d|10d|3m|12m or minutes/hours/days/months', WINDOW_NAMES);
  }
  if (given.length > 1) {
    throw badParameter(given[1], `give exactly one of ${WINDOW_PARAMS.join(', ')}; got ${given.join(' and ')}`, WINDOW_PARAMS);
  }
  const param = given[0];
  const value = values.get(param)!;
  const window = param === 'window' ? value : WINDOW_ALIASES[param][value];
  if (!isWindow(window) || (param !== 'window' && !Object.prototype.hasOwnProperty.call(WINDOW_ALIASES[param], value))) {
    throw badParameter(param, `${param}=${echo(value)} is not allowed`, allowedOf(param));
  }
  return window;
}

/** `samples`: a plain decimal integer 1–500 (no sign, exponent, fraction or leading zero); default 500. */
export function parseSamples(value: string | undefined): number {
  if (value === undefined) return DEFAULT_GRANULARITY;
  const allowed = [`1..${MAX_SAMPLES}`, ...GRANULARITIES.map(String)];
  if (!/^[1-9][0-9]{0,2}$/.test(value)) {
    throw badParameter('samples', `samples=${echo(value)} is not an integer 1..${MAX_SAMPLES}`, allowed);
  }
  const samples = Number(value);
  if (samples > MAX_SAMPLES) throw badParameter('samples', `samples=${samples} is over ${MAX_SAMPLES}`, allowed);
  return samples;
}

/** `device`: an id matching `ID_PATTERN` (no slashes, dots first or other path tricks). */
export function parseDevice(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!ID_PATTERN.test(value)) {
    throw badParameter('device', `device=${echo(value)} is not a device id (1–64 of A–Z a–z 0–9 . _ : -, starting with a letter or digit)`);
  }
  return value;
}

function parseFresh(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw badParameter('fresh', `fresh=${echo(value)} is not allowed`, ['true', 'false']);
}

function parseVersionId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!VERSION_ID_PATTERN.test(value)) {
    throw badParameter('versionId', `versionId=${echo(value)} is not a version id (1–1024 of A–Z a–z 0–9 . _ + = -)`);
  }
  return value;
}

/**
 * Parse the parameters of one route.
 * @param allowed the route's parameter names (`LATEST_PARAMS`, `META_PARAMS`, `REFRESH_PARAMS`).
 * @throws {ApiError} 400 naming the first bad parameter.
 */
export function parseSnapshotParams(pairs: Iterable<[string, string]>, allowed: readonly string[]): SnapshotParams {
  const values = singleValues(pairs, allowed);
  const params: SnapshotParams = {
    window: parseWindow(values),
    samples: parseSamples(values.get('samples')),
    device: parseDevice(values.get('device')),
    fresh: parseFresh(values.get('fresh')),
    versionId: parseVersionId(values.get('versionId')),
  };
  if (params.fresh && params.versionId !== undefined) {
    throw badParameter('fresh', 'fresh=true cannot be combined with versionId', ['false']);
  }
  return params;
}
