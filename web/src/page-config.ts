/**
 * Where the page finds its API and which devices it offers: `?api=` beats `config.json` `api`,
 * which beats the page's own origin. Pure: the caller fetches config.json and passes the parsed JSON.
 *
 * config.json (beside index.html, optional):
 * ```json
 * { "api": "https://d111111abcdef8.cloudfront.net", "devices": ["pi-kitchen", "pi-garage"] }
 * ```
 */
import { ID_PATTERN } from '../../builder/constants.js';

export interface PageConfig {
  /** Absolute API base URL without a trailing slash, e.g. `http://127.0.0.1:8080` or `https://x/prod`. */
  readonly apiBase: string;
  /** Device ids from config.json, in its order; empty when it names none. */
  readonly devices: string[];
  /** Optional page title from config.json. */
  readonly title: string | undefined;
  /** Problems with the configuration, in words; the page still starts with defaults. */
  readonly problems: string[];
}

function absoluteBase(value: string, pageUrl: string): string | undefined {
  try {
    const url = new URL(value, pageUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.search = '';
    url.hash = '';
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Resolve the page configuration.
 * @param params the page's query parameters (`api` is read).
 * @param configJson parsed config.json, or `undefined` when it is absent or unreadable.
 * @param pageUrl the page's own URL, for the same-origin default and relative `api` values.
 */
export function resolvePageConfig(params: URLSearchParams, configJson: unknown, pageUrl: string): PageConfig {
  const problems: string[] = [];
  const config = typeof configJson === 'object' && configJson !== null && !Array.isArray(configJson)
    ? (configJson as Record<string, unknown>)
    : {};
  if (configJson !== undefined && config !== configJson) problems.push('config.json is not a JSON object; using defaults.');
  const sameOrigin = new URL(pageUrl).origin;
  let apiBase = sameOrigin;
  const fromConfig = config.api;
  if (typeof fromConfig === 'string' && fromConfig !== '') {
    const base = absoluteBase(fromConfig, pageUrl);
    if (base) apiBase = base;
    else problems.push(`config.json api "${fromConfig}" is not an http(s) URL; using ${sameOrigin}.`);
  }
  const fromQuery = params.get('api');
  if (fromQuery !== null && fromQuery !== '') {
    const base = absoluteBase(fromQuery, pageUrl);
    if (base) apiBase = base;
    else problems.push(`api=${fromQuery} is not an http(s) URL; using ${apiBase}.`);
  }
  const devices: string[] = [];
  if (Array.isArray(config.devices)) {
    for (const d of config.devices) {
      if (typeof d === 'string' && ID_PATTERN.test(d)) {
        if (!devices.includes(d)) devices.push(d);
      } else problems.push(`config.json devices: ${JSON.stringify(d)} is not a valid device id; skipped.`);
    }
  }
  const title = typeof config.title === 'string' && config.title !== '' ? config.title : undefined;
  return { apiBase, devices, title, problems };
}

/**
 * Resolve a URL the API returned (`statusUrl`, `eventsUrl`, `resultUrl`) against the API base.
 * Absolute URLs are kept; a path starting with `/` is appended to the base (so a base with a path
 * prefix such as an API Gateway stage `https://x/prod` keeps it); other relative paths resolve
 * against the base as a directory.
 */
export function resolveApiUrl(apiBase: string, urlOrPath: string): string {
  if (/^https?:\/\//i.test(urlOrPath)) return urlOrPath;
  if (urlOrPath.startsWith('/')) return `${apiBase}${urlOrPath}`;
  return new URL(urlOrPath, `${apiBase}/`).href;
}
