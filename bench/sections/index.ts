/**
 * Every benchmark section, in run order. Add yours here (builder rebuild times, upload drain, API
 * rps, …); sections may read what earlier ones left in `ctx.shared` (e.g. `primary.dbPath`).
 */
import type { BenchSection } from '../section.js';
import { BUFFER_SECTIONS } from './buffer.js';

export const SECTIONS: BenchSection[] = [...BUFFER_SECTIONS];
