/**
 * Per-sensor health as published by the sampler into the buffer's state table (key `sensor:<id>`,
 * index key `sensors`), so `sensorctl status` — another process — can show it. Pure over `StateStore`.
 */
import type { StateStore } from '../../sensors/pulse-counter.js';

/** online → failing → offline → (recovered) online; disabled: a permanent fault (wrong chip, bad pin), retried every 2–30 min. */
export type SensorState = 'starting' | 'online' | 'failing' | 'offline' | 'disabled';

export interface SensorStatus {
  id: string;
  type: string;
  state: SensorState;
  /** Epoch ms of the last state change (wall clock at that moment). */
  sinceMs: number;
  consecutiveFailures: number;
  reads: number;
  /** Reads that stored nothing (error thrown, or no valid value). */
  failedReads: number;
  /** Count per error/problem code (`eremoteio`, `crc_mismatch`, `power_on_reset`, …). */
  errorCounts: Record<string, number>;
  reinits: number;
  lastError?: string;
  lastOkMs?: number;
}

export const SENSOR_INDEX_KEY = 'sensors';
/** State key of the clock guard's status (`ClockGuardStatus` JSON). */
export const CLOCK_STATE_KEY = 'clock';
export const sensorStateKey = (id: string): string => `sensor:${id}`;

/** Write one sensor's status (and keep the index of ids). */
export function publishSensorStatus(store: StateStore, status: SensorStatus, allIds: readonly string[]): void {
  store.setState(sensorStateKey(status.id), JSON.stringify(status));
  const index = JSON.stringify([...allIds]);
  if (store.getState(SENSOR_INDEX_KEY) !== index) store.setState(SENSOR_INDEX_KEY, index);
}

/** Read back every published sensor status (for `sensorctl status`); unreadable entries are skipped. */
export function readSensorStatuses(store: StateStore): SensorStatus[] {
  let ids: string[] = [];
  try {
    ids = JSON.parse(store.getState(SENSOR_INDEX_KEY) ?? '[]');
  } catch {
    return [];
  }
  const out: SensorStatus[] = [];
  for (const id of ids) {
    const raw = store.getState(sensorStateKey(id));
    if (!raw) continue;
    try {
      out.push(JSON.parse(raw) as SensorStatus);
    } catch {
      /* a torn value cannot happen in SQLite; ignore anything unparsable */
    }
  }
  return out;
}

/**
 * One line per sensor for `sensorctl status` text output, e.g.
 * `bme      bme280   online   since 2026-11-30T12:00:00.000Z  reads 360 failed 12  eremoteio=12`.
 */
export function formatSensorStatuses(statuses: readonly SensorStatus[]): string[] {
  return statuses.map((s) => {
    const counts = Object.entries(s.errorCounts).map(([k, n]) => `${k}=${n}`).join(' ');
    const last = s.state === 'online' || !s.lastError ? '' : `  last error: ${s.lastError}`;
    return `${s.id.padEnd(8)} ${s.type.padEnd(8)} ${s.state.padEnd(8)} since ${new Date(s.sinceMs).toISOString()}  reads ${s.reads} failed ${s.failedReads}${counts ? '  ' + counts : ''}${last}`;
  });
}

/** The clock guard's last published status (trusted, samples held/discarded/restamped), if any. */
export function readClockStatus(store: StateStore): { isTrusted: boolean; held: number; discarded: number; restamped: number } | undefined {
  const raw = store.getState(CLOCK_STATE_KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
