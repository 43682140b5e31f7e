/**
 * Whether sampling works, for systemd's watchdog and `systemctl status` (`STATUS=`). Pure: the
 * sampler reports what it did (`SamplerProgress`, monotonic times), this decides.
 *
 * Healthy when a reading was admitted (stored, or held for an untrusted clock) within `staleAfterMs`;
 * or, when none was, while no sensor is expected to deliver (every one offline or disabled, which the
 * status line shows: a restart would not bring a sensor back) and no read has hung longer than
 * `staleAfterMs`; and during the first `staleAfterMs` after start. Unhealthy otherwise, e.g. a read or
 * an insert that never returns while the event loop keeps running: then the watchdog is not fed and
 * systemd restarts the agent.
 */
import type { SensorState } from './sensor-status.js';

/** What the sampler reports about its own progress (monotonic ms). */
export interface SamplerProgress {
  startedMonoMs: number;
  nowMonoMs: number;
  /** When a reading was last admitted (stored, or held while the clock is untrusted). */
  lastAdmittedMonoMs?: number;
  /** When the oldest read still in flight started. */
  oldestReadInFlightMonoMs?: number;
  sensors: ReadonlyArray<{ id: string; state: SensorState }>;
  /** Series being sampled. */
  seriesCount: number;
  /** Samples held for an untrusted clock. */
  heldSamples: number;
}

export interface Liveness {
  isHealthy: boolean;
  /** One line for `STATUS=`: "sampling 3 series, last stored 4 s ago, upload backlog 12". */
  status: string;
}

/** Default `staleAfterMs`: three times the longest sensor interval, at least 60 s. */
export function staleAfterMsFor(intervalsMs: readonly number[]): number {
  return Math.max(60_000, 3 * Math.max(0, ...intervalsMs));
}

/** Decide from the sampler's progress (and the upload backlog, when an uplink is configured). */
export function samplingLiveness(p: SamplerProgress, staleAfterMs: number, uploadBacklogItems?: number): Liveness {
  const sinceAdmitMs = p.lastAdmittedMonoMs === undefined ? undefined : p.nowMonoMs - p.lastAdmittedMonoMs;
  const hungMs = p.oldestReadInFlightMonoMs === undefined ? 0 : p.nowMonoMs - p.oldestReadInFlightMonoMs;
  const down = p.sensors.filter((s) => s.state === 'offline' || s.state === 'disabled');
  const isInGrace = p.nowMonoMs - p.startedMonoMs < staleAfterMs;
  const isStoring = sinceAdmitMs !== undefined && sinceAdmitMs <= staleAfterMs;
  const isNothingExpected = p.sensors.length > 0 && down.length === p.sensors.length;
  const isHealthy = hungMs <= staleAfterMs && (isStoring || isInGrace || isNothingExpected);
  const parts = [`sampling ${p.seriesCount} series`];
  parts.push(sinceAdmitMs === undefined ? 'nothing stored yet' : `last stored ${Math.round(sinceAdmitMs / 1000)} s ago`);
  if (p.heldSamples > 0) parts.push(`holding ${p.heldSamples} samples (clock untrusted)`);
  if (down.length) parts.push(`${down.map((s) => `${s.id} ${s.state}`).join(', ')}`);
  if (hungMs > staleAfterMs) parts.push(`a read hangs for ${Math.round(hungMs / 1000)} s`);
  if (uploadBacklogItems !== undefined) parts.push(`upload backlog ${uploadBacklogItems}`);
  return { isHealthy, status: parts.join(', ') };
}
