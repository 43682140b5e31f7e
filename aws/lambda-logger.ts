/**
 * The Lambdas' `Logger` port over Powertools for AWS Lambda's Logger (`@aws-lambda-powertools/logger`):
 * one JSON object per line with `level` (so Lambda's log-level filtering sees errors as ERROR),
 * `service`, `timestamp`, and, after `addContext`, the invocation's `function_request_id` and
 * `cold_start`. Level from `LOG_LEVEL` (`debug`, `info`, `warn`, `error`; default `info`), as
 * Powertools reads it. Credentials are never passed in: fields come from our own code, and AWS errors
 * reach it through `errorText` (redacted).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from '../builder/ports.js';

/** A `Logger` that also takes the Lambda invocation context. */
export interface LambdaLogger extends Logger {
  /** Add the invocation's request id and cold-start flag to every later line. */
  addContext(context: unknown): void;
}

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/**
 * A JSON-lines logger for CloudWatch Logs named `serviceName`; `level` is `LOG_LEVEL` (any case), an
 * unknown level falls back to INFO.
 */
export function lambdaLogger(serviceName: string, level: string | undefined): LambdaLogger {
  const wanted = (level ?? 'INFO').toUpperCase();
  const logLevel = (LEVELS as readonly string[]).includes(wanted) ? (wanted as (typeof LEVELS)[number]) : 'INFO';
  const logger = new PowertoolsLogger({ serviceName, logLevel });
  const at = (write: (message: string, extra: Record<string, unknown>) => void) => (message: string, fields?: Record<string, unknown>) => write(message, fields ?? {});
  return {
    error: at((m, f) => logger.error(m, f)),
    warn: at((m, f) => logger.warn(m, f)),
    info: at((m, f) => logger.info(m, f)),
    debug: at((m, f) => logger.debug(m, f)),
    addContext: (context) => {
      if (context && typeof context === 'object' && 'awsRequestId' in context) logger.addContext(context as never);
    },
  };
}
