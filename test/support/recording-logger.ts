/** A `Logger` that records lines (`level message`) for assertions. */
import type { Logger } from '../../builder/ports.js';

export function recordingLogger(): Logger & { lines: string[]; fields: Array<Record<string, unknown> | undefined> } {
  const lines: string[] = [];
  const fields: Array<Record<string, unknown> | undefined> = [];
  const at = (level: string) => (message: string, f?: Record<string, unknown>) => {
    lines.push(`${level} ${message}`);
    fields.push(f);
  };
  return { lines, fields, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
