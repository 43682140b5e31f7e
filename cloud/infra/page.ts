/**
 * The dashboard page as the stack deploys it: the same `web/dist` the Pi serves (built by
 * `scripts/build-web.mjs`), with its `config.json` generated from the stack instead of the copy of
 * `web/public/config.json`, and the CloudFront path patterns of its content-hashed assets. Pure: no
 * CDK constructs here, so the derivations are testable without a synth.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IMMUTABLE_CACHE_CONTROL, REVALIDATE_CACHE_CONTROL } from '../../platform/static-files.js';

/** The page's configuration file, beside index.html (read by `web/src/main.ts`). */
export const PAGE_CONFIG_FILE = 'config.json';
/** The object CloudFront answers `/` with. */
export const PAGE_ROOT_OBJECT = 'index.html';

/**
 * CloudFront path patterns of the page's content-hashed assets (`app.<10 hex>.js`, `app.<10 hex>.css`,
 * as `scripts/build-web.mjs` names them; `?` matches exactly one character). They never change, so
 * they are cached for a year, like `HASHED_ASSET_PATTERN` on the Pi.
 */
export const PAGE_ASSET_PATH_PATTERNS = ['/app.??????????.js', '/app.??????????.css'] as const;

/** `Cache-Control` the viewer gets: hashed assets a year (immutable), everything else of the page revalidated each time, as the Pi sends them. */
export const PAGE_CACHE_CONTROL = { assets: IMMUTABLE_CACHE_CONTROL, page: REVALIDATE_CACHE_CONTROL } as const;

/** Built files the upload leaves out: the `.gz` copies (CloudFront compresses itself) and config.json (generated). */
export const PAGE_UPLOAD_EXCLUDES = ['*.gz', PAGE_CONFIG_FILE] as const;

/** What `web/src/page-config.ts` reads from config.json. */
export interface DeployedPageConfig {
  /** `''`: the page's own origin, i.e. the distribution's domain (CloudFront routes `/samples/*` to the API). */
  api: string;
  /** The stack's devices, in its order: the page's device picker. */
  devices: string[];
}

/**
 * The config.json the stack deploys: API on the page's own origin (relative paths through the same
 * distribution, so a custom domain in front of it keeps working) and the stack's device ids.
 * @param deviceIds the stack's `deviceIds` (the Pis' deviceIds).
 */
export function deployedPageConfig(deviceIds: readonly string[]): DeployedPageConfig {
  return { api: '', devices: [...deviceIds] };
}

/**
 * The built page directory when it holds a page (`index.html`), else `undefined`.
 * @param dir e.g. `<repo>/web/dist`.
 */
export function builtPageDir(dir: string): string | undefined {
  return existsSync(join(dir, PAGE_ROOT_OBJECT)) ? dir : undefined;
}
