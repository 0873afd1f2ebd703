/**
 * Pinhole camera geometry shared by the simulator (projecting bodies to pixels) and vision (triangulating back).
 * A camera's pose is camera-to-world: world = R · cam + position; the camera looks along its +z axis,
 * x to the right of the image and y down.
 */
import type { CameraDef, Vec3 } from './schema.ts';

/** World point → pixel [u, v] and depth along the optical axis (negative or zero: behind the camera). */
export function projectPoint(camera: CameraDef, p: Vec3): { u: number; v: number; depth: number } {
  const r = camera.pose.rotation;
  const [px, py, pz] = camera.pose.position;
  const dx = p[0] - px;
  const dy = p[1] - py;
  const dz = p[2] - pz;
  // cam = Rᵀ · (p − position)
  const cx = r[0]! * dx + r[3]! * dy + r[6]! * dz;
  const cy = r[1]! * dx + r[4]! * dy + r[7]! * dz;
  const cz = r[2]! * dx + r[5]! * dy + r[8]! * dz;
  const { fx, fy, cx: ox, cy: oy } = camera.intrinsics;
  return { u: (fx * cx) / cz + ox, v: (fy * cy) / cz + oy, depth: cz };
}

/** True when the pixel lies inside the image. */
export function inImage(camera: CameraDef, u: number, v: number): boolean {
  return u >= 0 && v >= 0 && u < camera.resolution[0] && v < camera.resolution[1];
}

/** The 3×4 projection matrix K·[Rᵀ | −Rᵀ·position], row-major, for linear triangulation. */
export function projectionMatrix(camera: CameraDef): number[] {
  const r = camera.pose.rotation;
  const [px, py, pz] = camera.pose.position;
  const { fx, fy, cx, cy } = camera.intrinsics;
  const rt = [r[0]!, r[3]!, r[6]!, r[1]!, r[4]!, r[7]!, r[2]!, r[5]!, r[8]!];
  const t = [0, 1, 2].map((i) => -(rt[i * 3]! * px + rt[i * 3 + 1]! * py + rt[i * 3 + 2]! * pz));
  const k = [fx, 0, cx, 0, fy, cy, 0, 0, 1];
  const out: number[] = [];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 4; col++) {
      let s = 0;
      for (let i = 0; i < 3; i++) s += k[row * 3 + i]! * (col < 3 ? rt[i * 3 + col]! : t[i]!);
      out.push(s);
    }
  }
  return out;
}

/** Ray from the camera centre through pixel (u, v), as origin and unit direction in world coordinates. */
export function pixelRay(camera: CameraDef, u: number, v: number): { origin: Vec3; dir: Vec3 } {
  const { fx, fy, cx, cy } = camera.intrinsics;
  const c: Vec3 = [(u - cx) / fx, (v - cy) / fy, 1];
  const r = camera.pose.rotation;
  const d: Vec3 = [
    r[0]! * c[0] + r[1]! * c[1] + r[2]! * c[2],
    r[3]! * c[0] + r[4]! * c[1] + r[5]! * c[2],
    r[6]! * c[0] + r[7]! * c[1] + r[8]! * c[2],
  ];
  const n = Math.hypot(...d);
  return { origin: [...camera.pose.position], dir: [d[0] / n, d[1] / n, d[2] / n] };
}

/** Rotation (camera-to-world, row-major) for a camera at `from` looking at `to`, image "up" towards world +y/−z. */
export function lookAtRotation(from: Vec3, to: Vec3): number[] {
  const z = normalize([to[0] - from[0], to[1] - from[1], to[2] - from[2]]);
  // Pick a world up that is not parallel to the optical axis (ceiling cameras look straight down).
  const up: Vec3 = Math.abs(z[2]) > 0.99 ? [0, 1, 0] : [0, 0, 1];
  const x = normalize(cross(z, up));
  const y = cross(z, x);
  // Columns are the camera axes in world coordinates.
  return [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(a: Vec3): Vec3 {
  const n = Math.hypot(...a);
  return [a[0] / n, a[1] / n, a[2] / n];
}
