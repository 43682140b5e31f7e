/**
 * The API's error type and its JSON body. Every 4xx/5xx body is
 * `{ error: { status, code, message, parameter?, allowed? } }` (docs/api-contract.md "Errors").
 */

/** Error codes of the contract. */
export type ApiErrorCode =
  | 'bad_parameter'
  | 'unknown_parameter'
  | 'repeated_parameter'
  | 'not_found'
  | 'not_built'
  | 'no_samples'
  | 'range_too_large'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'request_timeout'
  | 'method_not_allowed'
  | 'unavailable'
  | 'internal';

/** Longest echo of client input inside a message, in characters. */
const MAX_ECHO_CHARS = 64;

/** Quote client input for a message: JSON-escaped and cut to 64 characters. */
export function echo(value: string): string {
  const cut = value.length > MAX_ECHO_CHARS ? value.slice(0, MAX_ECHO_CHARS) + '…' : value;
  return JSON.stringify(cut);
}

/** An error the API answers with a given status; thrown by validation and routing, caught by `createApi`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly parameter?: string,
    readonly allowed?: readonly (string | number)[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Shorthand for a 400 about one parameter. */
export function badParameter(parameter: string, message: string, allowed?: readonly (string | number)[]): ApiError {
  return new ApiError(400, 'bad_parameter', message, parameter, allowed);
}

/** The contract's error body of `err`. */
export function errorBody(err: ApiError): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = { status: err.status, code: err.code, message: err.message };
  if (err.parameter !== undefined) error.parameter = err.parameter;
  if (err.allowed !== undefined) error.allowed = err.allowed;
  return { error };
}

/** The 500 answer to anything unexpected: no message from the error, no stack. */
export const INTERNAL_ERROR = new ApiError(500, 'internal', 'internal error');
