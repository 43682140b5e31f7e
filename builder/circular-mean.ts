/**
 * The circular mean of angles in degrees (a wind direction): the direction of the sum of unit
 * vectors, `atan2(Σ sin θ, Σ cos θ)`, as a bearing in [0, 360). 350° and 10° give 0°, where the
 * arithmetic mean gives 180°. Sums of sines and cosines are exact (`exact-sum.ts`), so the mean does
 * not depend on the order samples were folded or buckets merged. When the vectors cancel out (0° and
 * 180°), the direction is not defined: the mean is then null. Pure.
 */

const RAD_PER_DEG = Math.PI / 180;

/**
 * Below this mean resultant length (|Σ unit vectors| / count, 0…1) the bearings cancel out and the
 * mean is null: 1e-9 is far under what any real spread of directions gives, far over rounding noise.
 */
export const MIN_RESULTANT_LENGTH = 1e-9;

/** Sine and cosine of an angle in degrees. */
export function unitVector(deg: number): { sin: number; cos: number } {
  const r = deg * RAD_PER_DEG;
  return { sin: Math.sin(r), cos: Math.cos(r) };
}

/** Bearing in [0, 360) of the sum vector (`sinSum`, `cosSum`) of `count` angles, or null when they cancel out. */
export function circularMeanDeg(sinSum: number, cosSum: number, count: number): number | null {
  if (count <= 0 || Math.hypot(sinSum, cosSum) / count < MIN_RESULTANT_LENGTH) return null;
  const deg = Math.atan2(sinSum, cosSum) / RAD_PER_DEG;
  const bearing = deg < 0 ? deg + 360 : deg;
  return bearing >= 360 ? 0 : bearing;
}
