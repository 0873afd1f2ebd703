/**
 * Walking on the shop floor: an occupancy grid (fixtures inflated by a body radius, walls, and a band on the outside
 * of the gate row so nobody walks around a gate) and A* paths between cells.
 */
import type { Vec2 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { pointInPolygon } from './geometry.ts';

const CELL = 0.2;
const BODY_RADIUS = 0.28;

export class FloorGrid {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  private readonly free: Uint8Array;

  constructor(store: Store) {
    const xs = store.def.floor.outline.map((p) => p[0]);
    const ys = store.def.floor.outline.map((p) => p[1]);
    this.x0 = Math.min(...xs);
    this.y0 = Math.min(...ys);
    this.w = Math.ceil((Math.max(...xs) - this.x0) / CELL);
    this.h = Math.ceil((Math.max(...ys) - this.y0) / CELL);
    this.free = new Uint8Array(this.w * this.h);
    for (let j = 0; j < this.h; j++) {
      for (let i = 0; i < this.w; i++) {
        const p = this.center(i, j);
        this.free[j * this.w + i] = isWalkable(store, p) ? 1 : 0;
      }
    }
  }

  center(i: number, j: number): Vec2 {
    return [this.x0 + (i + 0.5) * CELL, this.y0 + (j + 0.5) * CELL];
  }

  cellOf(p: Vec2): [number, number] {
    const i = Math.min(this.w - 1, Math.max(0, Math.floor((p[0] - this.x0) / CELL)));
    const j = Math.min(this.h - 1, Math.max(0, Math.floor((p[1] - this.y0) / CELL)));
    return [i, j];
  }

  isFree(p: Vec2): boolean {
    const [i, j] = this.cellOf(p);
    return this.free[j * this.w + i] === 1;
  }

  /** The free cell nearest to `p` (searching outwards), so targets just inside an inflated fixture still work. */
  nearestFree(p: Vec2): Vec2 {
    const [ci, cj] = this.cellOf(p);
    for (let r = 0; r < 12; r++) {
      let best: Vec2 | null = null;
      let bestD = Number.POSITIVE_INFINITY;
      for (let j = cj - r; j <= cj + r; j++) {
        for (let i = ci - r; i <= ci + r; i++) {
          if (i < 0 || j < 0 || i >= this.w || j >= this.h || this.free[j * this.w + i] !== 1) continue;
          const c = this.center(i, j);
          const d = Math.hypot(c[0] - p[0], c[1] - p[1]);
          if (d < bestD) {
            bestD = d;
            best = c;
          }
        }
      }
      if (best) return r === 0 ? p : best;
    }
    return p;
  }

  /** Waypoints from `from` to `to` (exclusive of `from`, ending exactly at `to`): A* on the grid, then simplified. */
  path(from: Vec2, to: Vec2): Vec2[] {
    const [si, sj] = this.cellOf(this.nearestFree(from));
    const [ti, tj] = this.cellOf(this.nearestFree(to));
    const cells = this.astar(sj * this.w + si, tj * this.w + ti).map((c) =>
      this.center(c % this.w, Math.floor(c / this.w)),
    );
    return [...simplify(from, cells), to];
  }

  private g = new Float32Array(0);
  private came = new Int32Array(0);
  private stamp = new Uint32Array(0);
  private generation = 0;

  /** Cells from start (exclusive) to goal (inclusive) with octile moves and no corner cutting; [] if unreachable. */
  private astar(start: number, goal: number): number[] {
    const n = this.w * this.h;
    if (this.g.length !== n) {
      this.g = new Float32Array(n);
      this.came = new Int32Array(n);
      this.stamp = new Uint32Array(n);
    }
    const gen = ++this.generation;
    const gi = goal % this.w;
    const gj = (goal - gi) / this.w;
    const h = (c: number) => {
      const dx = Math.abs((c % this.w) - gi);
      const dy = Math.abs(Math.floor(c / this.w) - gj);
      return Math.max(dx, dy) + (Math.SQRT2 - 1) * Math.min(dx, dy);
    };
    const heap = new MinHeap();
    this.g[start] = 0;
    this.came[start] = -1;
    this.stamp[start] = gen;
    heap.push(h(start), start);
    while (heap.size > 0) {
      const [f, c] = heap.pop();
      if (c === goal) break;
      const gc = this.g[c]!;
      if (f - h(c) > gc + 1e-4) continue;
      const ci = c % this.w;
      const cj = (c - ci) / this.w;
      for (let dj = -1; dj <= 1; dj++) {
        for (let di = -1; di <= 1; di++) {
          if (di === 0 && dj === 0) continue;
          const ni = ci + di;
          const nj = cj + dj;
          if (ni < 0 || nj < 0 || ni >= this.w || nj >= this.h) continue;
          const nc = nj * this.w + ni;
          if (this.free[nc] !== 1) continue;
          if (di !== 0 && dj !== 0 && (this.free[cj * this.w + ni] !== 1 || this.free[nj * this.w + ci] !== 1))
            continue;
          const ng = gc + (di !== 0 && dj !== 0 ? Math.SQRT2 : 1);
          if (this.stamp[nc] === gen && ng >= this.g[nc]!) continue;
          this.stamp[nc] = gen;
          this.g[nc] = ng;
          this.came[nc] = c;
          heap.push(ng + h(nc), nc);
        }
      }
    }
    if (this.stamp[goal] !== gen) return [];
    const out: number[] = [];
    for (let c = goal; c !== start && c >= 0; c = this.came[c]!) out.push(c);
    return out.reverse();
  }
}

function isWalkable(store: Store, p: Vec2): boolean {
  if (!pointInPolygon(p, store.def.floor.outline)) return false;
  for (const f of store.def.fixtures) {
    const b = f.box;
    if (
      p[0] > b.min[0] - BODY_RADIUS &&
      p[0] < b.max[0] + BODY_RADIUS &&
      p[1] > b.min[1] - BODY_RADIUS &&
      p[1] < b.max[1] + BODY_RADIUS
    )
      return false;
  }
  // Inside the store means on the "in" side of the gate row: block a band just outside every gate line.
  for (const g of store.def.gates) {
    const [[ax, ay], [bx, by]] = g.line;
    const len = Math.hypot(bx - ax, by - ay);
    const side = ((bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax)) / len;
    if (side < 0.3 && side > -2) return false;
  }
  return true;
}

/** Drops intermediate cells that lie on a straight run, keeping corners. */
function simplify(from: Vec2, cells: Vec2[]): Vec2[] {
  const out: Vec2[] = [];
  let prev = from;
  for (let k = 0; k < cells.length; k++) {
    const c = cells[k]!;
    const next = cells[k + 1];
    if (!next) {
      out.push(c);
      break;
    }
    const d1 = [c[0] - prev[0], c[1] - prev[1]];
    const d2 = [next[0] - c[0], next[1] - c[1]];
    if (Math.abs(d1[0]! * d2[1]! - d1[1]! * d2[0]!) > 1e-9) out.push(c);
    prev = c;
  }
  return out;
}

class MinHeap {
  private keys: number[] = [];
  private vals: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(k: number, v: number): void {
    const keys = this.keys;
    const vals = this.vals;
    let i = keys.length;
    keys.push(k);
    vals.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= k) break;
      keys[i] = keys[p]!;
      vals[i] = vals[p]!;
      i = p;
    }
    keys[i] = k;
    vals[i] = v;
  }
  pop(): [number, number] {
    const keys = this.keys;
    const vals = this.vals;
    const top: [number, number] = [keys[0]!, vals[0]!];
    const k = keys.pop()!;
    const v = vals.pop()!;
    if (keys.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= keys.length) break;
        const r = l + 1;
        const c = r < keys.length && keys[r]! < keys[l]! ? r : l;
        if (keys[c]! >= k) break;
        keys[i] = keys[c]!;
        vals[i] = vals[c]!;
        i = c;
      }
      keys[i] = k;
      vals[i] = v;
    }
    return top;
  }
}
