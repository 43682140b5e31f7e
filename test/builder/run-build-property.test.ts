/**
 * Property: whatever the order, lateness or future-stamping of samples and however the clock moves,
 * an incremental build equals a from-scratch build exactly (fast-check generates the histories).
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GRANULARITIES, type Window } from '../../builder/constants.js';
import { runBuild } from '../../builder/run-build.js';
import type { Sample } from '../../builder/types.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { DEVICE, FakeClock, gauge, readPayload, silentLog } from '../support/builder-harness.js';

const T0 = Date.parse('2024-06-01T00:00:00Z');
const WINDOWS: Window[] = ['1h', '1d'];
const SERIES = [gauge('a.tempC'), gauge('b.rhPct', 'rhPct', '%RH')];

const sampleArb = fc.record({
  seriesId: fc.constantFrom('a.tempC', 'b.rhPct'),
  offsetMs: fc.integer({ min: -30 * 3_600_000, max: 600_000 }), // from 30 h late to 10 min in the future
  value: fc.double({ min: -50, max: 150, noNaN: true, noDefaultInfinity: true }),
});
const stepArb = fc.record({ advanceMs: fc.integer({ min: 0, max: 2 * 3_600_000 }), samples: fc.array(sampleArb, { maxLength: 40 }) });

const property = suite('runBuild incremental = full (property)');
property('holds for random histories of late, future and out-of-order samples', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 5 }), async (steps) => {
      const source = new MemoryBuffer();
      source.defineSeries(SERIES);
      const store = new MemoryObjectStore();
      const clock = new FakeClock(T0);
      const deps = { source, store, clock, log: silentLog, deviceId: DEVICE, builder: 'pi' as const };
      const all: Sample[] = [];
      for (const step of steps) {
        clock.tsMs += step.advanceMs;
        const batch = step.samples.map((s) => ({ seriesId: s.seriesId, tsMs: clock.tsMs + s.offsetMs, value: s.value }));
        source.insert(DEVICE, batch);
        all.push(...batch);
        await runBuild(deps, { windows: WINDOWS });
      }
      const fresh = new MemoryBuffer();
      fresh.defineSeries(SERIES);
      fresh.insert(DEVICE, all);
      const fullStore = new MemoryObjectStore();
      await runBuild({ ...deps, source: fresh, store: fullStore }, { windows: WINDOWS, full: true });
      for (const w of WINDOWS) for (const g of GRANULARITIES) {
        const a = await readPayload(store, w, g);
        const b = await readPayload(fullStore, w, g);
        assert.equal({ ...a, generatedAt: '' }, { ...b, generatedAt: '' }, `${w}/${g}`);
      }
    }),
    { numRuns: 40, seed: 20240601 },
  );
});
property.run();
