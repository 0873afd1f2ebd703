/**
 * Ceiling cameras as a pose detector would report them: every frame, each camera projects the people's joints
 * to pixels with noise, hides joints behind fixtures (a lazily filled visibility grid per camera) or behind people
 * nearer the camera, drops joints and whole people now and then, adds the odd false detection, and stamps the frame
 * with its own clock offset.
 */
import type { Detection } from '../protocol/messages.ts';
import type { CameraDef, Vec3 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

const JOINTS = 17;

import { segmentHitsBox } from './geometry.ts';
import { createFastNoise, type FastNoise, type Rng } from './random.ts';

const GRID = 0.2;
const LEVELS = 14;
const PIXEL_SD = 2.5;
const MISSED_JOINT_P = 0.04;
const MISSED_PERSON_P = 0.02;
const FALSE_DETECTION_P = 0.004;
/**
 * People farther than this (horizontal metres from the camera) are too small and too oblique for the detector;
 * the example stores' cameras are placed to cover every plate from within this range.
 */
const DETECT_RANGE = 4.5;

/** A person as the cameras see them at one instant: joints in world metres (x, y, z × 17). */
export interface Visible {
  joints: Float64Array;
}

export class SimCamera {
  readonly offsetMs: number;
  frame = 0;
  private readonly rt: number[];
  private readonly visibility: Uint8Array;
  private readonly gx0: number;
  private readonly gy0: number;
  private readonly gw: number;
  private readonly gh: number;
  private readonly noise: FastNoise;
  /** Projection buffers reused from frame to frame. */
  private readonly pool: Float64Array[] = [];

  constructor(
    readonly def: CameraDef,
    private readonly store: Store,
    private readonly rng: Rng,
  ) {
    const r = def.pose.rotation;
    this.rt = [r[0]!, r[3]!, r[6]!, r[1]!, r[4]!, r[7]!, r[2]!, r[5]!, r[8]!];
    // Each camera's clock is off by 20–60 ms either way.
    this.offsetMs = (rng.chance(0.5) ? 1 : -1) * rng.uniform(20, 60);
    const xs = store.def.floor.outline.map((p) => p[0]);
    const ys = store.def.floor.outline.map((p) => p[1]);
    this.gx0 = Math.min(...xs) - 3;
    this.gy0 = Math.min(...ys) - 3;
    this.gw = Math.ceil((Math.max(...xs) + 3 - this.gx0) / GRID);
    this.gh = Math.ceil((Math.max(...ys) + 3 - this.gy0) / GRID);
    this.visibility = new Uint8Array(this.gw * this.gh * LEVELS);
    this.noise = createFastNoise(rng);
  }

  /** The frame's detections for these people (already at the frame's instant). */
  detect(people: readonly Visible[]): Detection[] {
    const { fx, fy, cx, cy } = this.def.intrinsics;
    const [W, H] = this.def.resolution;
    const [px, py, pz] = this.def.pose.position;
    const rt = this.rt;
    const projected: { uv: Float64Array; depth: number; torso: [number, number, number, number] }[] = [];
    for (const person of people) {
      const j = person.joints;
      // Quick reject on the hip centre before projecting every joint.
      const hx = (j[33]! + j[36]!) / 2 - px;
      const hy = (j[34]! + j[37]!) / 2 - py;
      if (hx * hx + hy * hy > DETECT_RANGE * DETECT_RANGE) continue;
      const hz = (j[35]! + j[38]!) / 2 - pz;
      const hd = rt[6]! * hx + rt[7]! * hy + rt[8]! * hz;
      if (hd < 0.4) continue;
      const hu = (fx * (rt[0]! * hx + rt[1]! * hy + rt[2]! * hz)) / hd + cx;
      const hv = (fy * (rt[3]! * hx + rt[4]! * hy + rt[5]! * hz)) / hd + cy;
      if (hu < -W * 0.3 || hu > W * 1.3 || hv < -H * 0.3 || hv > H * 1.3) continue;
      const uv = this.pool[projected.length] ?? new Float64Array(JOINTS * 3);
      this.pool[projected.length] = uv;
      let inside = 0;
      for (let k = 0; k < JOINTS; k++) {
        const dx = j[k * 3]! - px;
        const dy = j[k * 3 + 1]! - py;
        const dz = j[k * 3 + 2]! - pz;
        const d = rt[6]! * dx + rt[7]! * dy + rt[8]! * dz;
        const u = (fx * (rt[0]! * dx + rt[1]! * dy + rt[2]! * dz)) / d + cx;
        const v = (fy * (rt[3]! * dx + rt[4]! * dy + rt[5]! * dz)) / d + cy;
        const inImage = d > 0.1 && u >= 0 && v >= 0 && u < W && v < H;
        // Third value: 1 visible, 0.5 hidden behind a fixture, 0 outside the image.
        let state = 0;
        if (inImage) state = this.seesPoint(j[k * 3]!, j[k * 3 + 1]!, j[k * 3 + 2]!) ? 1 : 0.5;
        if (state === 1) inside++;
        uv[k * 3] = u;
        uv[k * 3 + 1] = v;
        uv[k * 3 + 2] = state;
      }
      if (inside < 3) continue;
      projected.push({ uv, depth: hd, torso: torsoBox(uv) });
    }
    const out: Detection[] = [];
    for (const p of projected) {
      // People nearer the camera hide joints that fall inside their torso.
      for (const q of projected) {
        if (q === p || q.depth > p.depth - 0.3) continue;
        const [x0, y0, x1, y1] = q.torso;
        for (let k = 0; k < JOINTS; k++) {
          const u = p.uv[k * 3]!;
          const v = p.uv[k * 3 + 1]!;
          if (p.uv[k * 3 + 2] === 1 && u > x0 && u < x1 && v > y0 && v < y1) p.uv[k * 3 + 2] = 0.5;
        }
      }
      const detection = this.toDetection(p.uv, W, H);
      if (detection) out.push(detection);
    }
    if (this.rng.chance(FALSE_DETECTION_P)) out.push(this.ghost(W, H));
    return out;
  }

  private toDetection(uv: Float64Array, W: number, H: number): Detection | null {
    // Whole people go missed now and then, and usually when few joints are visible: decide before building.
    let shown = 0;
    for (let k = 0; k < JOINTS; k++) if (uv[k * 3 + 2] === 1) shown++;
    if (shown < 3 || this.rng.chance(shown < 6 ? 0.5 : MISSED_PERSON_P)) return null;
    const n = this.noise;
    const table = n.table;
    let visible = 0;
    const keypoints: [number, number, number][] = new Array(JOINTS);
    for (let k = 0; k < JOINTS; k++) {
      const state = uv[k * 3 + 2]!;
      if (state === 0) {
        keypoints[k] = [0, 0, 0];
        continue;
      }
      // Four draws from the inlined xorshift: missed?, two pixel noises, score.
      let s = n.state;
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      const missed = state !== 1 || (s >>> 0) / 4294967296 < MISSED_JOINT_P;
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      const du = table[s & 4095]!;
      const dv = table[(s >>> 12) & 4095]!;
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      n.state = s;
      const r = (s >>> 0) / 4294967296;
      // Hidden or missed joints: the detector still guesses, far less precisely and with a low score.
      const sd = missed ? 14 : PIXEL_SD;
      const score = missed ? 0.3 * r : 0.55 + 0.43 * r;
      if (!missed) visible++;
      const u = Math.round(uv[k * 3]! + du * sd);
      const v = Math.round(uv[k * 3 + 1]! + dv * sd);
      keypoints[k] = [u < 0 ? 0 : u >= W ? W - 1 : u, v < 0 ? 0 : v >= H ? H - 1 : v, Math.round(score * 100) / 100];
    }
    const rng = this.rng;
    if (visible < 3) return null;
    let x0 = W;
    let y0 = H;
    let x1 = 0;
    let y1 = 0;
    let sum = 0;
    for (let k = 0; k < JOINTS; k++) {
      const kp = keypoints[k]!;
      const s = kp[2];
      if (s < 0.3) continue;
      const u = kp[0];
      const v = kp[1];
      if (u < x0) x0 = u;
      if (v < y0) y0 = v;
      if (u > x1) x1 = u;
      if (v > y1) y1 = v;
      sum += s;
    }
    const padX = (x1 - x0) * 0.1 + 6;
    const padY = (y1 - y0) * 0.1 + 6;
    x0 = clamp(x0 - padX, 0, W);
    y0 = clamp(y0 - padY, 0, H);
    x1 = clamp(x1 + padX, 0, W);
    y1 = clamp(y1 + padY, 0, H);
    const score = r2(clamp((sum / visible) * rng.uniform(0.85, 1.02), 0.05, 1));
    return { box: [r1(x0), r1(y0), r1(x1 - x0), r1(y1 - y0)], score, keypoints };
  }

  /** A false detection: a plausible box somewhere with scattered low-confidence joints. */
  private ghost(W: number, H: number): Detection {
    const rng = this.rng;
    const w = rng.uniform(40, 160);
    const h = rng.uniform(60, 240);
    const x = rng.uniform(0, W - w);
    const y = rng.uniform(0, H - h);
    const keypoints: [number, number, number][] = [];
    for (let k = 0; k < JOINTS; k++) {
      keypoints.push([r1(x + rng.uniform(0, w)), r1(y + rng.uniform(0, h)), r2(rng.uniform(0.05, 0.6))]);
    }
    return { box: [r1(x), r1(y), r1(w), r1(h)], score: r2(rng.uniform(0.3, 0.6)), keypoints };
  }

  /** Whether the segment from the camera to the point is free of fixtures, cached on a coarse 3D grid. */
  private seesPoint(x: number, y: number, z: number): boolean {
    const i = Math.floor((x - this.gx0) / GRID);
    const j = Math.floor((y - this.gy0) / GRID);
    const l = Math.min(LEVELS - 1, Math.max(0, Math.floor(z / GRID)));
    if (i < 0 || j < 0 || i >= this.gw || j >= this.gh) return true;
    const cell = (l * this.gh + j) * this.gw + i;
    const cached = this.visibility[cell]!;
    if (cached !== 0) return cached === 1;
    const centre: Vec3 = [this.gx0 + (i + 0.5) * GRID, this.gy0 + (j + 0.5) * GRID, (l + 0.5) * GRID];
    const hidden = this.store.def.fixtures.some((f) => segmentHitsBox(this.def.pose.position, centre, f.box));
    this.visibility[cell] = hidden ? 2 : 1;
    return !hidden;
  }
}

/** Pixel box around shoulders, hips and head of a projected body, shrunk a little: what hides people behind. */
function torsoBox(uv: Float64Array): [number, number, number, number] {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const k of [0, 5, 6, 11, 12]) {
    x0 = Math.min(x0, uv[k * 3]!);
    y0 = Math.min(y0, uv[k * 3 + 1]!);
    x1 = Math.max(x1, uv[k * 3]!);
    y1 = Math.max(y1, uv[k * 3 + 1]!);
  }
  const sx = (x1 - x0) * 0.15;
  const sy = (y1 - y0) * 0.15;
  return [x0 + sx, y0 + sy, x1 - sx, y1 - sy];
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
