/**
 * Exact floating-point summation, so a bucket's `sum` (and `avg = sum / count`) does not depend on the
 * order samples were added or buckets merged: an incremental build, a full rebuild and the cloud
 * builder give bit-identical values. A sum is kept as non-overlapping partials (Shewchuk, "Adaptive
 * Precision Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997, grow-expansion)
 * and rounded once, correctly (round-half-even), on read. Inputs must be finite.
 */

/** Add `value` to the expansion `partials` in place (partials stay non-overlapping, increasing magnitude). */
export function addExact(partials: number[], value: number): void {
  let n = 0;
  for (let i = 0; i < partials.length; i++) {
    let y = partials[i];
    if (Math.abs(value) < Math.abs(y)) [value, y] = [y, value];
    const hi = value + y;
    const lo = y - (hi - value);
    if (lo !== 0) partials[n++] = lo;
    value = hi;
  }
  partials.length = n;
  partials.push(value);
}

/** The correctly rounded value of the exact sum held by `partials` (0 for none). */
export function roundExact(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Half-way case: the remaining partials decide the rounding direction.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** Add every partial of `from` into `into` (exact merge of two sums). */
export function mergeExact(into: number[], from: readonly number[]): void {
  for (const p of from) addExact(into, p);
}
