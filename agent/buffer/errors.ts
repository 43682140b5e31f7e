/** Typed errors of the raw-sample buffer (the `SampleBuffer` port and its adapters). */

/**
 * A buffer operation that cannot be done: an undeclared or redefined series, a non-finite value, a
 * database newer than this program, or a write still busy after every retry (`cause` holds the
 * adapter's error).
 */
export class BufferError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
