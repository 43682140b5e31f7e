/** The dependencies of the API core with every option filled in, and its per-instance caches. */
import { DEFAULT_API_OPTIONS, type ApiDeps, type ApiOptions } from './ports.js';

/** Most computed (merged or decoded) bodies kept per API instance. */
export const MAX_COMPUTED_BODIES = 64;

/** What every handler of the core receives. */
export interface ApiContext extends Omit<ApiDeps, 'options'> {
  options: Required<ApiOptions>;
  /**
   * Computed response bodies by `<key> <ETag>`: a merged or decoded body depends only on the stored
   * object (whose ETag changes with its content), so it is computed once, not per request.
   */
  computedBodies: Map<string, Promise<{ body: Uint8Array; isGzip: boolean }>>;
}

/** Fill option defaults (`DEFAULT_API_OPTIONS`). */
export function contextOf(deps: ApiDeps): ApiContext {
  return { ...deps, options: { ...DEFAULT_API_OPTIONS, ...deps.options }, computedBodies: new Map() };
}
