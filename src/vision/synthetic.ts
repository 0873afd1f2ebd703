/**
 * Synthetic world for the vision tests and benchmark: a small store with ceiling cameras, stick-figure
 * shoppers (COCO-17 joints in 3D, with a reaching arm) and a pose "detector" that projects them with
 * seeded pixel noise, dropped keypoints and jittered frame times. Not used by the engine.
 */
import type { Detection, DeviceMessage } from '../protocol/messages.ts';
import { KP } from '../protocol/messages.ts';
import { createRng, type Rng } from '../sim/random.ts';
import { lookAtRotation, projectPoint } from '../store/camera.ts';
import type { CameraDef, StoreDef, Vec2, Vec3 } from '../store/schema.ts';
import { storeSchema } from '../store/schema.ts';
import { indexStore, type Store } from '../store/store.ts';

export interface SyntheticStoreOptions {
  width: number;
  depth: number;
  /** Cameras on a grid of nx × ny, at this height. */
  grid: [number, number];
  cameraHeight: number;
  resolution?: [number, number];
  focal?: number;
  /** Fraction of the way each camera looks towards the store centre (0 = straight down). */
  tilt?: number;
  /** Gondola rows along x at these y positions (1 m deep), each with plates. */
  gondolaRows?: number[];
  /** Where newcomers may appear; by default a patch just inside the entry gate. */
  entryArea?: Vec2[];
}

/**
 * A closed rectangular store: entry gate at the front wall on the left, exit gate on the right (both on y = 0,
 * "in" is +y), an entry area just inside the entry gate, and gondolas with three shelves of plates.
 */
export function syntheticStore(opts: SyntheticStoreOptions): Store {
  const { width: W, depth: D } = opts;
  const [nx, ny] = opts.grid;
  const resolution = opts.resolution ?? [1280, 960];
  const focal = opts.focal ?? 520;
  const cameras: CameraDef[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const position: Vec3 = [((i + 0.5) * W) / nx, ((j + 0.5) * D) / ny, opts.cameraHeight];
      const tilt = opts.tilt ?? 0.25;
      const target: Vec3 = [position[0] + tilt * (W / 2 - position[0]), position[1] + tilt * (D / 2 - position[1]), 0];
      cameras.push({
        id: `cam${cameras.length + 1}`,
        resolution,
        fps: 15,
        intrinsics: { fx: focal, fy: focal, cx: resolution[0] / 2, cy: resolution[1] / 2 },
        pose: { position, rotation: lookAtRotation(position, target) },
        distortion: [],
      });
    }
  }
  const rows = opts.gondolaRows ?? [D - 0.6];
  const fixtures = rows.map((y, r) => gondola(`G${r + 1}`, 1, W - 1, y));
  const def: unknown = {
    id: 'synthetic',
    name: 'Synthetic store',
    currency: 'EUR',
    floor: {
      outline: [
        [0, 0],
        [W, 0],
        [W, D],
        [0, D],
      ],
      entryArea: opts.entryArea ?? [
        [0.3, 0.05],
        [2.2, 0.05],
        [2.2, 1.6],
        [0.3, 1.6],
      ],
    },
    products: [{ sku: 'SKU1', name: 'Thing', price: 100, unitWeight: { mean: 300, sd: 3 } }],
    fixtures,
    cameras,
    gates: [
      { id: 'entry', kind: 'entry', line: [entryGate[0], entryGate[1]] },
      { id: 'exit', kind: 'exit', line: [[W - 2.2, 0] as Vec2, [W - 0.6, 0] as Vec2] },
    ],
  };
  return indexStore(storeSchema.parse(def) as StoreDef);
}

const entryGate: [Vec2, Vec2] = [
  [0.5, 0],
  [2, 0],
];

/** A gondola 1 m deep centred on y, facing −y (towards the front) with three shelves of 1 m plates. */
function gondola(id: string, x0: number, x1: number, y: number): unknown {
  const shelves = [0.5, 1.0, 1.5].map((z, s) => ({
    id: `${id}-S${s + 1}`,
    plates: Array.from({ length: Math.floor(x1 - x0) }, (_, p) => ({
      id: `${id}-S${s + 1}-P${p + 1}`,
      box: { min: [x0 + p, y - 0.5, z], max: [x0 + p + 1, y - 0.1, z + 0.05] },
      skus: ['SKU1'],
      capacity: [10],
    })),
  }));
  return { id, kind: 'gondola', box: { min: [x0, y - 0.5, 0], max: [x1, y + 0.5, 1.9] }, facing: [0, -1], shelves };
}

/** A shopper's pose at one instant: floor centre, heading, size, and an optional reaching wrist. */
export interface Body {
  x: number;
  y: number;
  /** Walking direction, radians from +x. */
  heading: number;
  /** Height scale: 1 ≈ 1.75 m adult, 0.65 ≈ a child. */
  scale: number;
  reach?: { side: 'left' | 'right'; target: Vec3; amount: number };
}

// Rest pose in body coordinates (forward, left, up) for a 1.75 m adult, COCO order.
const REST: readonly Vec3[] = [
  [0.1, 0, 1.62],
  [0.08, 0.03, 1.66],
  [0.08, -0.03, 1.66],
  [0, 0.08, 1.63],
  [0, -0.08, 1.63],
  [0, 0.2, 1.45],
  [0, -0.2, 1.45],
  [0.02, 0.24, 1.15],
  [0.02, -0.24, 1.15],
  [0.08, 0.24, 0.88],
  [0.08, -0.24, 0.88],
  [0, 0.11, 0.95],
  [0, -0.11, 0.95],
  [0, 0.11, 0.5],
  [0, -0.11, 0.5],
  [0, 0.11, 0.08],
  [0, -0.11, 0.08],
];

/** The 17 joints of a body in store coordinates. */
export function skeleton(body: Body): Vec3[] {
  const c = Math.cos(body.heading);
  const s = Math.sin(body.heading);
  const k = body.scale;
  const joints = REST.map(([f, l, u]): Vec3 => [body.x + k * (f * c - l * s), body.y + k * (f * s + l * c), k * u]);
  if (body.reach) {
    const w = body.reach.side === 'left' ? KP.left_wrist : KP.right_wrist;
    const e = body.reach.side === 'left' ? KP.left_elbow : KP.right_elbow;
    const sh = body.reach.side === 'left' ? KP.left_shoulder : KP.right_shoulder;
    const a = body.reach.amount;
    const rest = joints[w]!;
    const wrist: Vec3 = [0, 1, 2].map((i) => rest[i]! + a * (body.reach!.target[i]! - rest[i]!)) as Vec3;
    joints[w] = wrist;
    const shoulder = joints[sh]!;
    joints[e] = [(shoulder[0] + wrist[0]) / 2, (shoulder[1] + wrist[1]) / 2, (shoulder[2] + wrist[2]) / 2 - 0.05];
  }
  return joints;
}

export interface DetectorNoise {
  pixelSigma: number;
  /** Chance that a keypoint is missed (low score, wrong place). */
  dropout: number;
  /** Chance that a whole person is missed in a frame. */
  miss: number;
}

/** What a pose detector reports for this body in this camera, or undefined when it is out of view. */
export function detect(
  camera: CameraDef,
  joints: readonly Vec3[],
  random: Rng,
  noise: DetectorNoise,
): Detection | undefined {
  const [w, h] = camera.resolution;
  const hip = projectPoint(camera, midpoint(joints[KP.left_hip]!, joints[KP.right_hip]!));
  if (hip.depth <= 0.2 || hip.u < 0 || hip.v < 0 || hip.u >= w || hip.v >= h) return undefined;
  if (random.next() < noise.miss) return undefined;
  let minU = w;
  let minV = h;
  let maxU = 0;
  let maxV = 0;
  const keypoints = joints.map((p, i): [number, number, number] => {
    const q = projectPoint(camera, p);
    if (q.depth <= 0 || q.u < 0 || q.v < 0 || q.u >= w || q.v >= h) return [0, 0, 0];
    if (random.next() < noise.dropout) return [q.u + 40 * random.gauss(), q.v + 40 * random.gauss(), 0.1];
    const sigma = i === KP.left_wrist || i === KP.right_wrist ? noise.pixelSigma * 1.5 : noise.pixelSigma;
    const u = Math.min(w - 1, Math.max(0, q.u + sigma * random.gauss()));
    const v = Math.min(h - 1, Math.max(0, q.v + sigma * random.gauss()));
    minU = Math.min(minU, u);
    minV = Math.min(minV, v);
    maxU = Math.max(maxU, u);
    maxV = Math.max(maxV, v);
    return [u, v, 0.8 + 0.15 * random.next()];
  });
  return { box: [minU, minV, Math.max(0, maxU - minU), Math.max(0, maxV - minV)], score: 0.9, keypoints };
}

function midpoint(a: Vec3, b: Vec3): Vec3 {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}

/**
 * Frame times of every camera over [t0, t1): 15 fps with a per-camera phase and ±jitter ms on each frame,
 * merged in timestamp order (what an MQTT broker would deliver).
 */
export function frameSchedule(
  cameras: readonly CameraDef[],
  t0: number,
  t1: number,
  jitterMs: number,
  random: Rng,
): { cameraId: string; ts: number; frame: number }[] {
  const out: { cameraId: string; ts: number; frame: number }[] = [];
  for (const camera of cameras) {
    const period = 1000 / camera.fps;
    const phase = random.next() * period;
    for (let k = 0; t0 + phase + k * period < t1; k++) {
      const ts = Math.round(t0 + phase + k * period + (random.next() * 2 - 1) * jitterMs);
      out.push({ cameraId: camera.id, ts: Math.max(t0, ts), frame: k });
    }
  }
  return out.sort((a, b) => a.ts - b.ts || a.cameraId.localeCompare(b.cameraId));
}

export interface ScenarioOptions {
  t0: number;
  t1: number;
  seed: number;
  jitterMs: number;
  noise: DetectorNoise;
  /** Cameras that send nothing in [from, to). */
  offline?: { cameraId: string; from: number; to: number }[];
  /** Called after each frame is fed, with the frame's time. */
  onTick?: (ts: number) => void;
}

/** Something that takes camera frames, as the vision stage does. */
export interface FrameSink {
  onFrame(msg: Extract<DeviceMessage, { kind: 'camera.people' }>): void;
}

/**
 * Renders every camera's frames for people given as functions of time (undefined = not in view of anyone)
 * and feeds them to the sink in timestamp order. Detection order within a frame is shuffled, as detectors do.
 */
export function runScenario(
  store: Store,
  sink: FrameSink,
  people: readonly ((t: number) => Body | undefined)[],
  opts: ScenarioOptions,
): void {
  const random = createRng(opts.seed);
  const schedule = frameSchedule(store.def.cameras, opts.t0, opts.t1, opts.jitterMs, random);
  for (const { cameraId, ts, frame } of schedule) {
    const off = opts.offline?.some((o) => o.cameraId === cameraId && ts >= o.from && ts < o.to);
    if (off) continue;
    const camera = store.cameras.get(cameraId)!;
    const found: Detection[] = [];
    for (const person of people) {
      const body = person(ts);
      if (!body) continue;
      const det = detect(camera, skeleton(body), random, opts.noise);
      if (det) found.push(det);
    }
    // Fisher–Yates with the seeded generator: the tracker must not rely on detection order.
    for (let i = found.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [found[i], found[j]] = [found[j]!, found[i]!];
    }
    sink.onFrame({ kind: 'camera.people', cameraId, v: 1, ts, frame, people: found });
    opts.onTick?.(ts);
  }
}

/**
 * A body walking a polyline of floor waypoints at constant speed, starting at t0; after the end it is gone
 * (walked out of view), or with `stay` it stands at the last waypoint.
 */
export function walker(
  waypoints: readonly Vec2[],
  speed: number,
  t0: number,
  scale = 1,
  stay = false,
): (t: number) => Body | undefined {
  const legs = waypoints.slice(1).map((b, i) => {
    const a = waypoints[i]!;
    return { a, b, length: Math.hypot(b[0] - a[0], b[1] - a[1]) };
  });
  return (t) => {
    if (t < t0) return undefined;
    let s = ((t - t0) / 1000) * speed;
    for (const leg of legs) {
      if (s <= leg.length) {
        const f = leg.length > 0 ? s / leg.length : 0;
        const heading = Math.atan2(leg.b[1] - leg.a[1], leg.b[0] - leg.a[0]);
        return { x: leg.a[0] + f * (leg.b[0] - leg.a[0]), y: leg.a[1] + f * (leg.b[1] - leg.a[1]), heading, scale };
      }
      s -= leg.length;
    }
    const last = legs[legs.length - 1];
    if (!stay || !last) return undefined;
    return { x: last.b[0], y: last.b[1], heading: Math.atan2(last.b[1] - last.a[1], last.b[0] - last.a[0]), scale };
  };
}
