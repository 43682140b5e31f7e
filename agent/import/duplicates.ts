/**
 * Samples of one series seen so far in an import, by instant: finds a row whose instant was already
 * read, and tells a repeat (same value: stored once) from a conflict (another value), with where
 * each came from. `--duplicates first` keeps the first value read, `last` the last. Pure.
 */

/** Which of several rows at one instant (and different values) is stored. */
export type DuplicateRule = 'first' | 'last';
export const DUPLICATE_RULES: readonly DuplicateRule[] = ['first', 'last'];

/** What `SeenSamples.see` found. */
export type Seen =
  | { kind: 'new'; index: number }
  | { kind: 'repeat' }
  | { kind: 'conflict'; keptValue: number; keptFile: number; keptLine: number; isReplaced: boolean };

/** Every (instant, value, file, line) of one series, in the order first read, with an index by instant. */
export class SeenSamples {
  private readonly byTs = new Map<number, number>();
  tsMs = new Float64Array(1024);
  value = new Float64Array(1024);
  private file = new Uint32Array(1024);
  private line = new Uint32Array(1024);
  length = 0;

  constructor(private readonly rule: DuplicateRule) {}

  /**
   * Record a valid value read at `file:line`. A new instant is appended (`new`, with its index);
   * an instant read before gives `repeat` (same value as the row kept so far) or `conflict` (the
   * kept row's value and place; with rule `last` this row becomes the kept one, `isReplaced`).
   */
  see(tsMs: number, value: number, file: number, line: number): Seen {
    const at = this.byTs.get(tsMs);
    if (at === undefined) {
      const index = this.append(tsMs, value, file, line);
      this.byTs.set(tsMs, index);
      return { kind: 'new', index };
    }
    const kept = this.value[at];
    if (Object.is(kept, value) || kept === value) return { kind: 'repeat' };
    const first = { keptValue: kept, keptFile: this.file[at], keptLine: this.line[at] };
    if (this.rule === 'last') {
      this.value[at] = value;
      this.file[at] = file;
      this.line[at] = line;
    }
    return { kind: 'conflict', ...first, isReplaced: this.rule === 'last' };
  }

  private append(tsMs: number, value: number, file: number, line: number): number {
    if (this.length === this.tsMs.length) {
      const n = this.length * 2;
      const grow = <A extends Float64Array | Uint32Array>(a: A, b: A): A => (b.set(a), b);
      this.tsMs = grow(this.tsMs, new Float64Array(n));
      this.value = grow(this.value, new Float64Array(n));
      this.file = grow(this.file, new Uint32Array(n));
      this.line = grow(this.line, new Uint32Array(n));
    }
    this.tsMs[this.length] = tsMs;
    this.value[this.length] = value;
    this.file[this.length] = file;
    this.line[this.length] = line;
    return this.length++;
  }
}
