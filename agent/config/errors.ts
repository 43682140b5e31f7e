/** Typed errors of the agent's configuration. Each carries context fields, not only a message. */

/** A config file or a config value that cannot be used; `key` says where. */
export class ConfigError extends Error {
  /** @param key dotted path of the offending key, e.g. `sensors[0].address`. */
  constructor(readonly key: string, message: string, options?: ErrorOptions) {
    super(`config ${key}: ${message}`, options);
    this.name = new.target.name;
  }
}
