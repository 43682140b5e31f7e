/** Typed errors of the builder area. Each carries context fields, not only a message (STYLE.md §4). */
import type { Granularity, Window } from './constants.js';

/** Base of every builder error. `context` names the snapshot/key/device involved, when known. */
export class BuildError extends Error {
  constructor(message: string, readonly context: Readonly<Record<string, unknown>> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A built payload failed validation (before publishing or when read back from the store). */
export class PayloadValidationError extends BuildError {
  constructor(readonly window: Window, readonly granularity: Granularity, readonly problems: readonly string[], options?: ErrorOptions) {
    super(`payload ${window}/${granularity} invalid: ${problems.slice(0, 5).join('; ')}`, { window, granularity }, options);
  }
}

/** The store did not do what was asked (read back differs, headers lost, object missing). */
export class StoreMismatchError extends BuildError {
  constructor(readonly key: string, readonly expected: string, readonly actual: string, options?: ErrorOptions) {
    super(`${key}: expected ${expected}, got ${actual}`, { key, expected, actual }, options);
  }
}

/** An object key an adapter refuses (path traversal, absolute, backslash, empty segment). */
export class InvalidKeyError extends BuildError {
  constructor(readonly key: string, reason: string) {
    super(`object key ${JSON.stringify(key)} rejected: ${reason}; keys are relative, '/'-separated, without '..', '.', empty segments or backslashes`, { key });
  }
}

/** Saved rollup state that cannot be used (corrupt, other version, other window); the builder rebuilds in full. */
export class StateError extends BuildError {
  constructor(readonly key: string, message: string, options?: ErrorOptions) {
    super(`state ${key}: ${message}`, { key }, options);
  }
}

/** Adapter-level store failure (I/O error, rejected request), wrapping the vendor error as `cause`. */
export class StoreError extends BuildError {
  constructor(readonly operation: string, readonly key: string, message: string, options?: ErrorOptions) {
    super(`${operation} ${key}: ${message}`, { operation, key }, options);
  }
}

/** Stored snapshot meta bytes that are not a usable `SnapshotMeta`; `problems` says what was wrong. */
export class MetaDecodeError extends BuildError {
  constructor(readonly problems: readonly string[], options?: ErrorOptions) {
    super(`snapshot meta unreadable: ${problems.slice(0, 5).join('; ')}`, { problems }, options);
  }
}
