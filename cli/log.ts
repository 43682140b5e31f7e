/**
 * Logger adapter for operators. Under systemd (JOURNAL_STREAM set) each line starts with the
 * sd-daemon priority prefix (`<3>` error, `<4>` warning, `<6>` info, `<7>` debug) so journald stores
 * real levels (`journalctl -p warning`); on a terminal lines carry an ISO time and the level word.
 * Lines go to stderr so `--json` output on stdout stays clean.
 */
import type { LogLevel, Logger } from '../builder/ports.js';

const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };
const ORDER: LogLevel[] = ['error', 'warn', 'info', 'debug'];

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

export function formatFields(fields?: Record<string, unknown>): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.length ? ' ' + parts.join(' ') : '';
}

/**
 * @param level lowest level written (default `info`; env `SENSORCTL_LOG_LEVEL` overrides in the CLI).
 * @param write sink for one finished line (default: stderr).
 */
export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  journald = Boolean(process.env.JOURNAL_STREAM),
): Logger {
  const max = ORDER.indexOf(level);
  const emit = (lvl: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER.indexOf(lvl) > max) return;
    const text = message + formatFields(fields);
    write(journald ? `<${PRIORITY[lvl]}>${text}` : `${new Date().toISOString()} ${lvl.padEnd(5)} ${text}`);
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (ORDER as string[]).includes(value);
}
