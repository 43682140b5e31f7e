/**
 * The snapshot JSON Schemas (`builder/schema/payload.schema.json`, `meta.schema.json`, draft 2020-12)
 * compiled once by ajv in strict mode (an unknown keyword or format, or a keyword that cannot apply
 * to the declared type, is an error when compiling), every violation reported (`allErrors`).
 * `format: "date-time"` is checked as RFC 3339 §5.6 (`2019-09-30T16:00:00.000Z`, or with an offset)
 * and a real calendar date and time: ajv ships no format implementations of its own.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 date-time: the shape, a date that exists, hours < 24, minutes < 60, seconds ≤ 60 (leap), offsets < 24 h. */
export function isDateTime(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  const dateExists = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  const offsetOk = m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60);
  return dateExists && hour < 24 && minute < 60 && second <= 60 && offsetOk;
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
ajv.addFormat('date-time', { type: 'string', validate: isDateTime });

const load = (name: string): ValidateFunction =>
  ajv.compile(JSON.parse(readFileSync(new URL(`../../builder/schema/${name}`, import.meta.url), 'utf8')));

const validatePayload = load('payload.schema.json');
const validateMeta = load('meta.schema.json');

/** One line per violation: `<instance path> <keyword>: <ajv's message>` (path `/` for the root). */
function lines(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword}: ${e.message}`);
}

/** Violations of `payload.schema.json` by `value`; empty when it conforms. */
export function payloadSchemaErrors(value: unknown): string[] {
  return validatePayload(value) ? [] : lines(validatePayload.errors);
}

/** Violations of `meta.schema.json` by `value`; empty when it conforms. */
export function metaSchemaErrors(value: unknown): string[] {
  return validateMeta(value) ? [] : lines(validateMeta.errors);
}
