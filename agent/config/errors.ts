/** Typed errors of the agent area. Each carries context fields, not only a message. */

export class ConfigError extends Error {
  /** @param key dotted path of the offending key, e.g. `sensors[0].address`. */
  constructor(readonly key: string, message: string, options?: ErrorOptions) {
    super(`config ${key}: ${message}`, options);
    this.name = new.target.name;
  }
}

export class BufferError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
