/**
 * systemd readiness and watchdog adapter. Under a `Type=notify` unit systemd sets `NOTIFY_SOCKET`
 * (and, with `WatchdogSec=`, `WATCHDOG_USEC` and `WATCHDOG_PID`); this module then sends `READY=1`
 * once and `WATCHDOG=1` every `WATCHDOG_USEC / 2` — with a `health` check, only while it says the
 * work is being done, and with `STATUS=<what the agent does>` — by running systemd's own `systemd-notify` binary
 * (no hand-made socket code). Outside systemd (`NOTIFY_SOCKET` unset) everything is a no-op.
 *
 * `systemd-notify` waits, by default, until the manager has processed the message (a barrier), so
 * the message is attributed to our unit even though the short-lived child sends it; the unit
 * therefore needs `NotifyAccess=all`. See sd_notify(3), sd_watchdog_enabled(3), systemd-notify(1).
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../builder/ports.js';
import type { Liveness } from '../agent/sampling/liveness.js';

/** The environment variables systemd passes to a notify service (sd_notify(3), sd_watchdog_enabled(3)). */
export interface NotifyEnv {
  NOTIFY_SOCKET?: string;
  /** Watchdog timeout in microseconds (decimal string). */
  WATCHDOG_USEC?: string;
  /** PID the watchdog settings are meant for; absent means "whoever reads them". */
  WATCHDOG_PID?: string;
}

/** Sends one notification (e.g. `['READY=1']`); rejects when the binary fails. */
export type NotifySender = (assignments: string[]) => Promise<void>;

/** How long one `systemd-notify` call may take, in ms, before it is abandoned. */
export const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * The keep-alive period in ms: half of `WATCHDOG_USEC` (sd_watchdog_enabled(3) recommends pinging
 * at half the timeout), rounded down, at least 1 ms.
 * @returns `undefined` when there is no notify socket, no watchdog, a malformed value, or the
 *   watchdog is meant for another PID.
 */
export function watchdogIntervalMs(env: NotifyEnv, pid: number): number | undefined {
  if (!env.NOTIFY_SOCKET || !env.WATCHDOG_USEC) return undefined;
  if (!/^[0-9]+$/.test(env.WATCHDOG_USEC)) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== String(pid)) return undefined;
  const usec = Number(env.WATCHDOG_USEC);
  if (usec <= 0) return undefined;
  return Math.max(1, Math.floor(usec / 2_000));
}

/** The default sender: `systemd-notify <assignments…>` with `NOTIFY_SOCKET` inherited from `env`. */
export function execNotifySender(env: NodeJS.ProcessEnv = process.env, binary = 'systemd-notify'): NotifySender {
  return (assignments) =>
    new Promise((resolve, reject) => {
      execFile(binary, assignments, { env, timeout: NOTIFY_TIMEOUT_MS }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`${binary} ${assignments.join(' ')} failed: ${String(stderr).trim() || err.message}`, { cause: err }));
        else resolve();
      });
    });
}

/** What `startWatchdog` returns. */
export interface WatchdogHandle {
  /** Whether a notify socket was found (false: everything is a no-op). */
  readonly isActive: boolean;
  /** Keep-alive period in ms, or undefined when systemd asked for no watchdog. */
  readonly intervalMs: number | undefined;
  /** Resolves once READY=1 was sent (or failed and was logged). */
  readonly ready: Promise<void>;
  /** Stop pinging and send `STOPPING=1` (best effort). */
  stop(): Promise<void>;
}

export interface StartWatchdogOptions {
  env?: NotifyEnv;
  pid?: number;
  send?: NotifySender;
  log?: Logger;
  /**
   * Whether the agent's work is being done (`samplingLiveness`). With it, each tick sends `STATUS=`
   * and sends `WATCHDOG=1` only while it says healthy; without it, every tick feeds the watchdog.
   */
  health?: () => Liveness;
  /** Tick period when systemd asked for no watchdog but `health` gives a status to show (default 30 s). */
  statusEveryMs?: number;
  /** Timer functions, injectable for tests. */
  setInterval?: (fn: () => void, ms: number) => { unref?: () => void };
  clearInterval?: (timer: unknown) => void;
}

/**
 * Tell systemd the agent is ready, then keep its watchdog fed. Call once, after the buffer and the
 * sensors are open (`sensorctl run`). Failures of `systemd-notify` are logged as warnings, never
 * thrown: a missed ping lets systemd restart us, which is the point of the watchdog.
 * @example
 *   const watchdog = startWatchdog({ log });
 *   process.once('SIGTERM', () => void watchdog.stop());
 */
export function startWatchdog(options: StartWatchdogOptions = {}): WatchdogHandle {
  const env = options.env ?? (process.env as NotifyEnv);
  const pid = options.pid ?? process.pid;
  if (!env.NOTIFY_SOCKET) {
    return { isActive: false, intervalMs: undefined, ready: Promise.resolve(), stop: async () => {} };
  }
  const send = options.send ?? execNotifySender(process.env);
  const log = options.log;
  const every = options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const clear = options.clearInterval ?? ((t) => clearInterval(t as NodeJS.Timeout));
  const attempt = (assignments: string[]) =>
    send(assignments).catch((err: unknown) => log?.warn('systemd notify failed', { message: assignments.join(' '), error: err }));

  const ready = attempt(['READY=1']).then(() => log?.debug('systemd notified', { state: 'READY=1' }));
  const intervalMs = watchdogIntervalMs(env, pid);
  const tickMs = intervalMs ?? (options.health ? options.statusEveryMs ?? 30_000 : undefined);
  let timer: unknown;
  let inFlight = false;
  let wasHealthy = true;
  const assignments = (): string[] => {
    const keepAlive = intervalMs !== undefined ? ['WATCHDOG=1'] : [];
    if (!options.health) return keepAlive;
    const h = options.health();
    if (h.isHealthy !== wasHealthy) {
      if (h.isHealthy) log?.info(`sampling works again: feeding the systemd watchdog (${h.status})`);
      else log?.error(`sampling stalled: not feeding the systemd watchdog, systemd will restart the agent (${h.status})`);
      wasHealthy = h.isHealthy;
    }
    return [...(h.isHealthy ? keepAlive : []), `STATUS=${h.status}`];
  };
  if (tickMs !== undefined) {
    const t = every(() => {
      if (inFlight) return; // a hung systemd-notify must not pile up children
      const message = assignments();
      if (!message.length) return;
      inFlight = true;
      void attempt(message).finally(() => (inFlight = false));
    }, tickMs);
    t.unref?.();
    timer = t;
  }
  return {
    isActive: true,
    intervalMs,
    ready,
    stop: async () => {
      if (timer !== undefined) clear(timer);
      timer = undefined;
      await attempt(['STOPPING=1']);
    },
  };
}
