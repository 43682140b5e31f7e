/**
 * Retry with exponential backoff and jitter for the uploader, its waits on the caller's monotonic
 * timers (`MonotonicScheduler`, as the sampler's), so tests and the soak drive them in virtual time and
 * a wall-clock step never stretches or skips one. Pure core: no timer of its own.
 */
import type { MonotonicScheduler } from '../sampling/ports.js';

export interface RetryOptions {
  /** Attempts in all, the first included (1 = no retry). */
  attempts: number;
  /** Wait before the first retry, ms (before jitter); each next one `factor` times longer. */
  minBackoffMs: number;
  /** Longest wait, ms (after jitter). */
  maxBackoffMs: number;
  /** Growth of the wait per retry (default 2). */
  factor?: number;
  /** Whether `error` may be retried; any other error is thrown at once. */
  shouldRetry: (error: unknown) => boolean;
  /** Called before each wait: the attempt that failed (from 1) and the retries still allowed. */
  onRetry?: (failed: { error: unknown; attemptNumber: number; retriesLeft: number }) => void;
  /** A number in [0, 1) (default `Math.random`): each wait is multiplied by 1 + it (jitter ×1–2). */
  random?: () => number;
  /** Once aborted, no more retries: a wait in progress ends at once and the last error is thrown. */
  signal?: AbortSignal;
}

/** The wait before retry number `retryIndex + 1` (0-based), ms: min(round((1 + random) × min × factor^i), max). Pure. */
export function backoffMs(retryIndex: number, options: Pick<RetryOptions, 'minBackoffMs' | 'maxBackoffMs' | 'factor' | 'random'>): number {
  const jitter = 1 + (options.random ?? Math.random)();
  return Math.min(Math.round(jitter * options.minBackoffMs * (options.factor ?? 2) ** retryIndex), options.maxBackoffMs);
}

/**
 * Run `attempt` until it resolves, retrying errors `shouldRetry` accepts up to `attempts` in all, waiting
 * `backoffMs` on `timers` between attempts. @returns what the last attempt resolved to.
 * @throws the first error not retried, or the last attempt's error once attempts ran out or `signal` aborted.
 */
export async function retryWithBackoff<T>(attempt: (attemptNumber: number) => Promise<T>, timers: Pick<MonotonicScheduler, 'schedule'>, options: RetryOptions): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const retriesLeft = options.attempts - attemptNumber;
      const { signal } = options;
      if (retriesLeft <= 0 || !options.shouldRetry(error) || signal?.aborted) throw error;
      options.onRetry?.({ error, attemptNumber, retriesLeft });
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const cancel = timers.schedule(backoffMs(attemptNumber - 1, options), done);
        const onAbort = () => {
          cancel();
          done();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (signal?.aborted) throw error;
    }
  }
}
