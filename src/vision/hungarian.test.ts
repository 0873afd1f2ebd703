import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assign, assignMatrix } from './hungarian.ts';

/** Brute force over all injective assignments of rows to columns (or none). */
function bruteForce(cost: number[][]): number {
  const cols = cost[0]?.length ?? 0;
  let best = Number.POSITIVE_INFINITY;
  const used = new Array<boolean>(cols).fill(false);
  const go = (i: number, total: number, assigned: number): void => {
    if (i === cost.length) {
      if (assigned === Math.min(cost.length, cols)) best = Math.min(best, total);
      return;
    }
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, total + cost[i]![j]!, assigned + 1);
      used[j] = false;
    }
    go(i + 1, total, assigned);
  };
  go(0, 0, 0);
  return best;
}

test('finds the optimal assignment where greedy fails', () => {
  // Greedy takes (0,0)=1 then must pay (1,1)=10; optimal is (0,1)+(1,0) = 2+2.
  const cost = [
    [1, 2],
    [2, 10],
  ];
  assert.deepEqual(assign(cost), [1, 0]);
});

test('matches brute force on random rectangular matrices', () => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let trial = 0; trial < 40; trial++) {
    const rows = 1 + Math.floor(rand() * 5);
    const cols = 1 + Math.floor(rand() * 5);
    const cost = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(rand() * 100)));
    const result = assign(cost);
    const total = result.reduce((s, j, i) => s + (j >= 0 ? cost[i]![j]! : 0), 0);
    assert.equal(result.filter((j) => j >= 0).length, Math.min(rows, cols));
    assert.equal(new Set(result.filter((j) => j >= 0)).size, Math.min(rows, cols));
    assert.equal(total, bruteForce(cost));
  }
});

test('never returns a forbidden pair and leaves those rows unassigned', () => {
  const inf = Number.POSITIVE_INFINITY;
  const cost = [
    [inf, 3, inf],
    [inf, 1, inf],
    [inf, inf, inf],
  ];
  // Only column 1 is legal for two rows: the cheaper row gets it.
  assert.deepEqual(assign(cost), [-1, 1, -1]);
  assert.deepEqual(assign([]), []);
  assert.deepEqual(assign([[]]), [-1]);
});

test('a row that may stay unassigned does not shift a chain of good pairs along by one', () => {
  const inf = Number.POSITIVE_INFINITY;
  // Tracks A, B, C of three people in a queue and S of someone this camera does not see; each person's detection
  // is 0.05 from their own track and 0.45 from the next one's, and a fourth detection x can only go to C. Forced to
  // match every row, the solver shifts the whole chain along by one (a→S, b→A, c→B, x→C).
  const chain = [
    [0.05, inf, inf, 0.5],
    [0.45, 0.05, inf, inf],
    [inf, 0.45, 0.05, inf],
    [inf, inf, 0.5, inf],
  ];
  assert.deepEqual(assign(chain), [3, 0, 1, 2]);
  const flat = Float64Array.from(chain.flat());
  assert.deepEqual(assignMatrix(flat, 4, 4, inf, [0.6, 0.6, 0.6, 0.6]), [0, 1, 2, -1]);
  // A lone legal pair still beats staying unassigned.
  assert.deepEqual(assignMatrix(Float64Array.from([0.55, inf]), 1, 2, inf, [0.6]), [0]);
});
