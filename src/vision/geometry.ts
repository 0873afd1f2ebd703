/**
 * Geometry the tracker needs beyond src/store/camera.ts: a precomputed camera model, weighted linear
 * triangulation (DLT) of one joint from several views, single-view fallbacks (ray at a known height,
 * ray point nearest a reference), and floor-plane helpers (polygons, distances to boxes).
 */
import { pixelRay, projectionMatrix } from '../store/camera.ts';
import type { Box, CameraDef, Vec2, Vec3 } from '../store/schema.ts';

/** A camera with everything per-frame work needs precomputed. */
export interface CameraModel {
  readonly def: CameraDef;
  /** 3×4 projection matrix, row-major. */
  readonly P: Float64Array;
  readonly width: number;
  readonly height: number;
  readonly focal: number;
  readonly position: Vec3;
}

export function cameraModel(def: CameraDef): CameraModel {
  return {
    def,
    P: Float64Array.from(projectionMatrix(def)),
    width: def.resolution[0],
    height: def.resolution[1],
    focal: (def.intrinsics.fx + def.intrinsics.fy) / 2,
    position: [...def.pose.position],
  };
}

/** Projects with the precomputed matrix: [u, v, depth]; depth ≤ 0 means behind the camera. */
export function project(cam: CameraModel, x: number, y: number, z: number): [number, number, number] {
  const P = cam.P;
  const w = P[8]! * x + P[9]! * y + P[10]! * z + P[11]!;
  return [(P[0]! * x + P[1]! * y + P[2]! * z + P[3]!) / w, (P[4]! * x + P[5]! * y + P[6]! * z + P[7]!) / w, w];
}

/**
 * Where a view's camera sees X: pixel into `out[0..1]`, depth returned.
 * Allocation-free: the robust triangulation calls it for every view of every joint.
 */
export function projectView(view: JointView, X: ArrayLike<number>, out: Float64Array): number {
  const P = view.cam.P;
  const x = X[0]!;
  const y = X[1]!;
  const z = X[2]!;
  const w = P[8]! * x + P[9]! * y + P[10]! * z + P[11]!;
  out[0] = (P[0]! * x + P[1]! * y + P[2]! * z + P[3]!) / w;
  out[1] = (P[4]! * x + P[5]! * y + P[6]! * z + P[7]!) / w;
  return w;
}

/** One observation of a joint: a pixel in a camera and a weight. */
export interface JointView {
  cam: CameraModel;
  u: number;
  v: number;
  weight: number;
}

export interface Triangulated {
  X: Vec3;
  /** Weighted RMS reprojection error, pixels. */
  rmsPx: number;
  /** Rough 1-σ position uncertainty, metres. */
  sigma: number;
  views: number;
}

/**
 * Weighted least-squares DLT: each view gives two linear equations in X; a second pass rescales them by
 * the depth found in the first so the residuals are pixel errors (the "normalised" linear method).
 * Returns undefined for fewer than two views or rays too close to parallel to fix a depth.
 */
export function triangulate(
  views: readonly JointView[],
  pixelSigma: number,
  opts: { minAngleDeg?: number; widestSin?: number } = NO_OPTS,
): Triangulated | undefined {
  const minSin = opts.minAngleDeg === undefined ? DEFAULT_MIN_SIN : Math.sin((opts.minAngleDeg * Math.PI) / 180);
  return triangulateFirst(views, views.length, pixelSigma, minSin, opts.widestSin);
}

/**
 * `triangulate` of the first `count` views (a pooled list, see observe.ts), rays at least `minSin` apart; the
 * widest ray sine is computed when not given.
 */
export function triangulateFirst(
  views: readonly JointView[],
  count: number,
  pixelSigma: number,
  minSin: number,
  widestSin: number | undefined,
): Triangulated | undefined {
  if (count < 2) return undefined;
  // The first pass only seeds the second: it lives in a scratch vector, the answer gets a fresh one.
  if (!solveWeighted(views, count, undefined, FIRST_PASS)) return undefined;
  const X: Vec3 = [0, 0, 0];
  if (!solveWeighted(views, count, FIRST_PASS, X)) {
    X[0] = FIRST_PASS[0]!;
    X[1] = FIRST_PASS[1]!;
    X[2] = FIRST_PASS[2]!;
  }
  // The caller may know the ray geometry already (the same cameras see every joint of a body at about the same angles).
  const maxSin = widestSin ?? widestRaySin(count === views.length ? views : views.slice(0, count), X);
  if (maxSin < minSin) return undefined;
  let err2 = 0;
  let wsum = 0;
  let depthSum = 0;
  for (let i = 0; i < count; i++) {
    const view = views[i]!;
    const d = projectView(view, X, PIXEL);
    if (d <= 0) return undefined;
    err2 += view.weight * ((PIXEL[0]! - view.u) ** 2 + (PIXEL[1]! - view.v) ** 2);
    wsum += view.weight;
    depthSum += d / view.cam.focal;
  }
  const rmsPx = Math.sqrt(err2 / wsum);
  const metresPerPixel = depthSum / count;
  const sigma = ((pixelSigma + rmsPx) * metresPerPixel) / Math.sqrt(count - 0.5) / Math.max(maxSin, 0.3);
  return { X, rmsPx, sigma, views: count };
}

const NO_OPTS: { minAngleDeg?: number; widestSin?: number } = {};
/** Rays closer to parallel than 6° (the default) fix no depth. */
export const DEFAULT_MIN_SIN = Math.sin((6 * Math.PI) / 180);
/** The first DLT pass's answer (triangulation is synchronous and never re-entered, so one scratch vector serves). */
const FIRST_PASS = new Float64Array(3);
/** Scratch pixel for `projectView` in the residual loop. */
const PIXEL = new Float64Array(2);

/**
 * Sine of the widest angle between two views' rays to X: how well depth is pinned down. Stops early once
 * past 30°, beyond which the geometry is good enough and the exact figure does not matter.
 */
export function widestRaySin(views: readonly { cam: CameraModel }[], X: Vec3): number {
  const n = views.length;
  const dirs = n * 3 <= RAY_SCRATCH.length ? RAY_SCRATCH : new Float64Array(n * 3);
  for (let i = 0; i < n; i++) rayDirection(views[i]!, X, dirs, i * 3);
  let best = 0;
  for (let i = 0; i < n && best < 0.25; i++) {
    for (let j = i + 1; j < n; j++) best = Math.max(best, crossSquared(dirs, i * 3, j * 3));
  }
  return Math.sqrt(best);
}

const RAY_SCRATCH = new Float64Array(3 * 16);

/** Unit direction from a view's camera to X, written at `out[at..at+2]`. */
export function rayDirection(view: { cam: CameraModel }, X: ArrayLike<number>, out: Float64Array, at: number): void {
  const dx = X[0]! - view.cam.position[0];
  const dy = X[1]! - view.cam.position[1];
  const dz = X[2]! - view.cam.position[2];
  const len = Math.sqrt(dx * dx + dy * dy + dz * dz) || 1;
  out[at] = dx / len;
  out[at + 1] = dy / len;
  out[at + 2] = dz / len;
}

/** |a × b|² of two unit directions stored at offsets a and b: the squared sine of the angle between them. */
export function crossSquared(dirs: Float64Array, a: number, b: number): number {
  const cx = dirs[a + 1]! * dirs[b + 2]! - dirs[a + 2]! * dirs[b + 1]!;
  const cy = dirs[a + 2]! * dirs[b]! - dirs[a]! * dirs[b + 2]!;
  const cz = dirs[a]! * dirs[b + 1]! - dirs[a + 1]! * dirs[b]!;
  return cx * cx + cy * cy + cz * cz;
}

/** One weighted DLT pass (rescaled by the depths at `guess` when given) into `out`; false when degenerate. */
function solveWeighted(
  views: readonly JointView[],
  count: number,
  guess: ArrayLike<number> | undefined,
  out: Vec3 | Float64Array,
): boolean {
  // Normal equations AᵀWA·X = AᵀW·b accumulated directly (symmetric 3×3).
  let a00 = 0;
  let a01 = 0;
  let a02 = 0;
  let a11 = 0;
  let a12 = 0;
  let a22 = 0;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < count; i++) {
    const view = views[i]!;
    const P = view.cam.P;
    let w = view.weight;
    if (guess) {
      const d = P[8]! * guess[0]! + P[9]! * guess[1]! + P[10]! * guess[2]! + P[11]!;
      if (d <= 0) return false;
      w /= d * d;
    }
    for (let r = 0; r <= 4; r += 4) {
      const pix = r === 0 ? view.u : view.v;
      const c0 = pix * P[8]! - P[r]!;
      const c1 = pix * P[9]! - P[r + 1]!;
      const c2 = pix * P[10]! - P[r + 2]!;
      const c3 = pix * P[11]! - P[r + 3]!;
      // Row · [X; 1] = 0  ⇒  row₀₋₂ · X = −row₃
      const rhs = -c3;
      a00 += w * c0 * c0;
      a01 += w * c0 * c1;
      a02 += w * c0 * c2;
      a11 += w * c1 * c1;
      a12 += w * c1 * c2;
      a22 += w * c2 * c2;
      b0 += w * c0 * rhs;
      b1 += w * c1 * rhs;
      b2 += w * c2 * rhs;
    }
  }
  return solveSym3(a00, a01, a02, a11, a12, a22, b0, b1, b2, out);
}

function solveSym3(
  a00: number,
  a01: number,
  a02: number,
  a11: number,
  a12: number,
  a22: number,
  b0: number,
  b1: number,
  b2: number,
  out: Vec3 | Float64Array,
): boolean {
  const c00 = a11 * a22 - a12 * a12;
  const c01 = a02 * a12 - a01 * a22;
  const c02 = a01 * a12 - a02 * a11;
  const det = a00 * c00 + a01 * c01 + a02 * c02;
  if (!wellConditioned(det, a00 + a11 + a22)) return false;
  const c11 = a00 * a22 - a02 * a02;
  const c12 = a01 * a02 - a00 * a12;
  const c22 = a00 * a11 - a01 * a01;
  out[0] = (c00 * b0 + c01 * b1 + c02 * b2) / det;
  out[1] = (c01 * b0 + c11 * b1 + c12 * b2) / det;
  out[2] = (c02 * b0 + c12 * b1 + c22 * b2) / det;
  return true;
}

/**
 * |det| > trace³·1e−12: the system pins X down. trace³ costs a Math.pow, so t·t·t (a few ulps from it) decides
 * first and the exact test runs only within a hair of the boundary: the answer is always the exact test's.
 */
function wellConditioned(det: number, trace: number): boolean {
  const approx = trace * trace * trace * 1e-12;
  if (approx > 1e-250 && approx < 1e250) {
    const a = Math.abs(det);
    if (a > approx * (1 + 1e-9)) return true;
    if (a < approx * (1 - 1e-9)) return false;
  }
  return Math.abs(det) > trace ** 3 * 1e-12;
}

/** Where the ray through pixel (u, v) reaches height z, or undefined when it never does in front of the camera. */
export function rayAtHeight(cam: CameraModel, u: number, v: number, z: number): Vec3 | undefined {
  const { origin, dir } = pixelRay(cam.def, u, v);
  if (Math.abs(dir[2]) < 1e-6) return undefined;
  const s = (z - origin[2]) / dir[2];
  if (s <= 0) return undefined;
  return [origin[0] + s * dir[0], origin[1] + s * dir[1], z];
}

/** The point on the ray through pixel (u, v) closest to `ref`: a one-camera guess for a joint near a known one. */
export function rayNearest(cam: CameraModel, u: number, v: number, ref: Vec3): Vec3 {
  const { origin, dir } = pixelRay(cam.def, u, v);
  const s = Math.max(0, dot(sub(ref, origin), dir));
  return [origin[0] + s * dir[0], origin[1] + s * dir[1], origin[2] + s * dir[2]];
}

/** Euclidean distance from a point to an axis-aligned box (0 inside). */
export function distanceToBox(p: Vec3, box: Box): number {
  let s = 0;
  for (let i = 0; i < 3; i++) {
    const c = p[i]!;
    const lo = box.min[i]!;
    const hi = box.max[i]!;
    const d = c < lo ? lo - c : c > hi ? c - hi : 0;
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Even–odd point-in-polygon test on the floor. */
export function insidePolygon(x: number, y: number, polygon: readonly Vec2[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance on the floor from a point to a segment. */
export function distanceToSegment(x: number, y: number, a: Vec2, b: Vec2): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const s = len2 > 0 ? Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / len2)) : 0;
  return Math.hypot(x - (a[0] + s * dx), y - (a[1] + s * dy));
}

export function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
