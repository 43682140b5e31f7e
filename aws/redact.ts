/**
 * One redaction of AWS credentials for every AWS error path. Every SDK client the product builds
 * (`aws/clients.ts`) gets `redactClientErrors`: an error thrown by any command leaves the client with
 * its message, stack and string fields scrubbed of the access key id, the secret, the session token
 * (the literal values the client signed with, whatever the credential source: environment, profile,
 * `credential_process`, Roles Anywhere) and of SigV4 material (`Credential=…`, `Signature=…`,
 * `X-Amz-Security-Token`), before any caller can log it or store it. An endpoint that echoes the
 * request's headers in its error (some proxies and emulators do) therefore cannot leak them into
 * journald or the database.
 */

/** Shortest literal secret value replaced (guards against replacing tiny test values everywhere). */
const MIN_SECRET_LENGTH = 8;

/** Replacement text for redacted material. */
export const REDACTED = '…redacted…';

/** `text` without AWS key ids, SigV4 credential/signature/token material, and the given literal `secrets`. */
export function redactAwsSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= MIN_SECRET_LENGTH) out = out.split(s).join(REDACTED);
  return out
    .replace(/\b(AKIA|ASIA|AIDA|AROA|ANPA|AGPA|AIPA)[A-Z0-9]{12,}\b/g, `$1${REDACTED}`)
    .replace(/(Credential=|Signature=|X-Amz-Security-Token=|X-Amz-Credential=|X-Amz-Signature=)[^,\s&"'<]+/gi, `$1${REDACTED}`)
    .replace(/(x-amz-security-token["']?\s*[:=]\s*["']?)[^,\s"'<]+/gi, `$1${REDACTED}`);
}

/** What a resolved SDK identity carries. */
interface Identity {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

/** The minimal view of an SDK v3 client that the redaction needs. */
interface RedactableClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void };
  config: { credentials?: () => Promise<Identity> };
}

/** Scrub `err` in place (message, stack, own string fields; the raw `$response` is dropped). */
function scrub(err: unknown, secrets: readonly (string | undefined)[]): void {
  if (typeof err !== 'object' || err === null) return;
  const e = err as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(e)) {
    const value = e[key];
    if (typeof value === 'string') {
      try {
        e[key] = redactAwsSecrets(value, secrets);
      } catch {
        /* read-only field: left as is */
      }
    }
  }
  if ('$response' in e) {
    try {
      delete e.$response;
    } catch {
      /* non-configurable */
    }
  }
  if (e.cause && e.cause !== err) scrub(e.cause, secrets);
}

/**
 * Add the redaction middleware to `client` (idempotent: a second call replaces the first) and return it.
 * `extraSecrets` are literal values to scrub as well (e.g. `AWS_SESSION_TOKEN` from the environment,
 * for errors thrown before credentials resolve).
 */
export function redactClientErrors<C extends RedactableClient>(client: C, extraSecrets: readonly (string | undefined)[] = []): C {
  const middleware = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    try {
      return await next(args);
    } catch (err) {
      let identity: Identity = {};
      try {
        identity = (await client.config.credentials?.()) ?? {};
      } catch {
        /* no credentials: only the extra secrets and the patterns apply */
      }
      scrub(err, [identity.secretAccessKey, identity.sessionToken, identity.accessKeyId, ...extraSecrets]);
      throw err;
    }
  };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'sensorctlRedactSecrets', override: true });
  return client;
}

/** The secret values an environment map holds (`AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_ACCESS_KEY_ID`). */
export const envSecrets = (env: Readonly<Record<string, string | undefined>>): string[] =>
  [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AWS_ACCESS_KEY_ID].filter((v): v is string => typeof v === 'string');
