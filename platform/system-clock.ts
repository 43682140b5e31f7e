/** The wall clock as a `Clock` port, for composition roots and adapters (cores get it injected). */
import type { Clock } from '../builder/ports.js';

export const systemClock: Clock = { nowMs: () => Date.now() };
