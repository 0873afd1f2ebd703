/**
 * A simple 3D body: the 17 COCO joints of a person from where they stand, which way they face, their height,
 * their walking phase and where each hand is reaching. Good enough for ceiling cameras: proportions from
 * anthropometric tables, a stride that swings legs and arms, a crouch when a hand goes low.
 */
import type { Vec3 } from '../store/schema.ts';

export interface BodyState {
  x: number;
  y: number;
  /** Facing direction in radians (0 = +x). */
  heading: number;
  /** Standing height in metres. */
  height: number;
  /** Walking phase in radians and stride amplitude 0..1 (0 when standing). */
  phase: number;
  stride: number;
  /** Where the wrists are reaching, or null for an arm at rest. */
  leftReach: Vec3 | null;
  rightReach: Vec3 | null;
}

/** Writes the 17 joints (x, y, z per joint, COCO order) into `out` (length 51). */
export function poseJoints(b: BodyState, out: Float64Array): void {
  const H = b.height;
  const fx = Math.cos(b.heading);
  const fy = Math.sin(b.heading);
  // The person's left is 90° counter-clockwise from forward.
  const lx = -fy;
  const ly = fx;
  const lowest = Math.min(b.leftReach?.[2] ?? H, b.rightReach?.[2] ?? H);
  const crouch = lowest < 0.45 * H ? Math.min(0.35, (0.45 * H - lowest) * 0.8) : 0;
  const lean = crouch * 0.5;
  const swing = 0.22 * b.stride * Math.sin(b.phase);
  const set = (k: number, side: number, lat: number, fwd: number, z: number) => {
    out[k * 3] = b.x + lx * lat * side + fx * fwd;
    out[k * 3 + 1] = b.y + ly * lat * side + fy * fwd;
    out[k * 3 + 2] = z;
  };
  const up = (z: number) => z - crouch;
  set(0, 1, 0, 0.09 + lean, up(0.935 * H));
  set(1, 1, 0.032, 0.07 + lean, up(0.95 * H));
  set(2, -1, 0.032, 0.07 + lean, up(0.95 * H));
  set(3, 1, 0.075, 0.0 + lean, up(0.94 * H));
  set(4, -1, 0.075, 0.0 + lean, up(0.94 * H));
  set(5, 1, 0.115 * H, lean * 0.8, up(0.818 * H));
  set(6, -1, 0.115 * H, lean * 0.8, up(0.818 * H));
  set(11, 1, 0.055 * H, 0, 0.53 * H - crouch * 0.6);
  set(12, -1, 0.055 * H, 0, 0.53 * H - crouch * 0.6);
  set(13, 1, 0.055 * H, swing + crouch * 0.4, 0.285 * H - crouch * 0.3);
  set(14, -1, 0.055 * H, -swing + crouch * 0.4, 0.285 * H - crouch * 0.3);
  set(15, 1, 0.06 * H, swing * 1.6, 0.04 * H);
  set(16, -1, 0.06 * H, -swing * 1.6, 0.04 * H);
  arm(out, 5, 7, 9, b.leftReach, H, fx, fy, lx, ly, 1, -swing);
  arm(out, 6, 8, 10, b.rightReach, H, fx, fy, lx, ly, -1, swing);
}

function arm(
  out: Float64Array,
  shoulder: number,
  elbow: number,
  wrist: number,
  reach: Vec3 | null,
  H: number,
  fx: number,
  fy: number,
  lx: number,
  ly: number,
  side: number,
  swing: number,
): void {
  const sx = out[shoulder * 3]!;
  const sy = out[shoulder * 3 + 1]!;
  const sz = out[shoulder * 3 + 2]!;
  let wx: number;
  let wy: number;
  let wz: number;
  if (reach) {
    [wx, wy, wz] = reach;
  } else {
    // Arm hanging by the side, swinging against the leg on the same side.
    wx = sx + lx * side * 0.02 + fx * swing * 0.8;
    wy = sy + ly * side * 0.02 + fy * swing * 0.8;
    wz = sz - 0.34 * H;
  }
  out[wrist * 3] = wx;
  out[wrist * 3 + 1] = wy;
  out[wrist * 3 + 2] = wz;
  // Elbow: halfway along the arm, pushed down and out so the arm bends like an arm.
  out[elbow * 3] = (sx + wx) / 2 + lx * side * 0.05;
  out[elbow * 3 + 1] = (sy + wy) / 2 + ly * side * 0.05;
  out[elbow * 3 + 2] = (sz + wz) / 2 - 0.06;
}

export const JOINTS = 17;
