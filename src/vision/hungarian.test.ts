import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assign } from './hungarian.ts';

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
