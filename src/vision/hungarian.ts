/**
 * Optimal assignment (Hungarian / Kuhn–Munkres, O(n²·m) potentials form) for rectangular cost matrices.
 * Owns detection↔track matching inside one camera frame and the global id mappings of the metrics.
 * Pairs whose cost is at or above `forbidden` are never returned, so callers gate by passing Infinity.
 */

/**
 * Minimum-cost assignment of rows to columns. Returns, for each row, the column it got or -1.
 * Every row or column is used at most once; pairs costing `forbidden` or more are left unassigned.
 */
export function assign(cost: readonly (readonly number[])[], forbidden = Number.POSITIVE_INFINITY): number[] {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : (cost[0]?.length ?? 0);
  const flat = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) flat[i * cols + j] = cost[i]![j]!;
  return assignMatrix(flat, rows, cols, forbidden);
}

/**
 * `assign` for a row-major matrix (rows × cols) in one typed array: the hot path builds no nested arrays.
 * `unmatched` (one cost per row) lets a row stay unassigned at that cost. Without it every row the columns allow is
 * forced onto some legal pair, and one detection only a neighbour's track can take shifts a whole chain of correct
 * pairs along by one (three people in a queue each matched to the next one's track).
 */
export function assignMatrix(
  cost: Float64Array,
  rows: number,
  cols: number,
  forbidden = Number.POSITIVE_INFINITY,
  unmatched?: ArrayLike<number>,
): number[] {
  if (rows === 0 || cols === 0) return new Array<number>(rows).fill(-1);
  // The solver needs rows ≤ columns: transpose when there are more rows (a row's own "unassigned" column avoids it).
  const transposed = !unmatched && rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : unmatched ? cols + rows : cols;
  // Forbidden pairs get a finite cost large enough never to be preferred over a legal set of pairs.
  let maxLegal = 0;
  for (let k = 0; k < rows * cols; k++) {
    const c = cost[k]!;
    if (c < forbidden && Math.abs(c) > maxLegal) maxLegal = Math.abs(c);
  }
  for (let i = 0; unmatched && i < rows; i++) maxLegal = Math.max(maxLegal, Math.abs(unmatched[i]!));
  const big = (maxLegal + 1) * (n + 1) * 4;
  // The solver's n × m matrix, forbidden pairs replaced; with `unmatched`, row i's own extra column cols + i.
  if (scratch.at.length < n * m) scratch.at = new Float64Array(n * m * 2);
  const at = scratch.at;
  const entry = (i: number, j: number): number => {
    if (transposed) return cost[j * cols + i]!;
    if (j < cols) return cost[i * cols + j]!;
    return j - cols === i ? unmatched![i]! : forbidden;
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = entry(i, j);
      at[i * m + j] = c < forbidden ? c : big;
    }
  }
  const rowOfCol = solve(n, m, at);
  const result = new Array<number>(rows).fill(-1);
  for (let j = 0; j < m; j++) {
    const i = rowOfCol[j + 1]! - 1;
    if (i < 0) continue;
    const r = transposed ? j : i;
    const c = transposed ? i : j;
    if (c < cols && cost[r * cols + c]! < forbidden) result[r] = c;
  }
  return result;
}

/** The classic potentials algorithm; 1-based internally. Returns for each column (1..m) its row (1..n) or 0. */
function solve(n: number, m: number, at: Float64Array): Int32Array {
  reserve(Math.max(n, m) + 1);
  const { u, v, p, way, minv, used } = scratch;
  u.fill(0, 0, n + 1);
  v.fill(0, 0, m + 1);
  p.fill(0, 0, m + 1);
  way.fill(0, 0, m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Number.POSITIVE_INFINITY, 0, m + 1);
    used.fill(0, 0, m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = at[(i0 - 1) * m + j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          const row = p[j]!;
          u[row] = u[row]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  return p;
}

/**
 * Working arrays, reused call after call (assignment is synchronous and never re-entered): one frame's matching
 * would otherwise allocate seven typed arrays. Only the first n + 1 or m + 1 entries of each are used.
 */
const scratch = {
  at: new Float64Array(64),
  u: new Float64Array(16),
  v: new Float64Array(16),
  p: new Int32Array(16),
  way: new Int32Array(16),
  minv: new Float64Array(16),
  used: new Uint8Array(16),
};

function reserve(size: number): void {
  if (scratch.u.length >= size) return;
  const grown = size * 2;
  scratch.u = new Float64Array(grown);
  scratch.v = new Float64Array(grown);
  scratch.p = new Int32Array(grown);
  scratch.way = new Int32Array(grown);
  scratch.minv = new Float64Array(grown);
  scratch.used = new Uint8Array(grown);
}
