import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addExact, mergeExact, roundExact } from '../../builder/exact-sum.js';

const sumOf = (xs: number[]) => {
  const p: number[] = [];
  for (const x of xs) addExact(p, x);
  return roundExact(p);
};

const exact = suite('addExact / roundExact');
exact('sums ten 0.1 to exactly 1 where naive addition gives 0.9999999999999999', () => {
  const xs = Array(10).fill(0.1);
  assert.is(xs.reduce((a, b) => a + b, 0), 0.9999999999999999);
  assert.is(sumOf(xs), 1);
});
exact('keeps small terms that cancel-out big ones would swallow: 1e16 + 1 - 1e16 = 1', () => {
  assert.is(sumOf([1e16, 1, -1e16]), 1);
});
exact('gives the same bits in any order (real pressure values in Pa)', () => {
  const xs = [100628.5, 100626.0, 100620.6, 100600.8, 100597.3, 100611.1, 100633.9, 0.1, 1e-9, 101325.25];
  const want = sumOf(xs);
  for (let k = 0; k < 30; k++) {
    const shuffled = [...xs].sort(() => Math.sin(k * 7919 + xs.length) - 0.5).reverse();
    assert.is(sumOf(shuffled.slice(k % 10).concat(shuffled.slice(0, k % 10))), want);
  }
});
exact('rounds half-way cases to even like a correctly rounded sum', () => {
  // 1 + 2^-53 is exactly half-way between 1 and 1 + 2^-52: ties go to the even 1; adding a tiny
  // positive term breaks the tie upwards.
  assert.is(sumOf([1, 2 ** -53]), 1);
  assert.is(sumOf([1, 2 ** -53, 2 ** -100]), 1 + 2 ** -52);
});
exact('merges two partial sums exactly', () => {
  const a: number[] = [];
  const b: number[] = [];
  for (const x of [0.1, 0.2, 0.3]) addExact(a, x);
  for (const x of [0.4, 1e16, -1e16]) addExact(b, x);
  mergeExact(a, b);
  assert.is(roundExact(a), 1);
  assert.is(roundExact([]), 0);
});
exact.run();
