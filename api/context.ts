/** The dependencies of the API core with every option filled in. */
import { DEFAULT_API_OPTIONS, type ApiDeps, type ApiOptions } from './ports.js';

export interface ApiContext extends Omit<ApiDeps, 'options'> {
  options: Required<ApiOptions>;
}

/** Fill option defaults (`DEFAULT_API_OPTIONS`). */
export function contextOf(deps: ApiDeps): ApiContext {
  return { ...deps, options: { ...DEFAULT_API_OPTIONS, ...deps.options } };
}
