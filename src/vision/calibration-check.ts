/**
 * Calibration sanity checks for the store's cameras, run before tracking starts (and by installers):
 * a clear error per camera for missing or absurd calibration, and the reprojection error of surveyed
 * point correspondences. Pure functions; the calibration format is documented in docs/vision.md.
 */
import { fail, ok, type Result } from '../errors.ts';
import { projectPoint } from '../store/camera.ts';
import type { CameraDef, StoreDef, Vec3 } from '../store/schema.ts';

export type CalibrationCode =
  | 'BAD_ROTATION'
  | 'BAD_FOCAL'
  | 'BAD_PRINCIPAL_POINT'
  | 'BAD_RESOLUTION'
  | 'BELOW_FLOOR'
  | 'SEES_NOTHING'
  | 'DISTORTION_IGNORED';

export interface CalibrationIssue {
  code: CalibrationCode;
  severity: 'error' | 'warning';
  message: string;
}

export interface CameraCalibrationReport {
  cameraId: string;
  ok: boolean;
  issues: CalibrationIssue[];
}

/** Field of view limits (degrees) beyond which a pinhole calibration is certainly wrong. */
const MIN_FOV = 5;
const MAX_FOV = 170;
/** A camera higher than this is not on a shop ceiling. */
const MAX_HEIGHT = 15;

/** Checks one camera against the store it is meant to watch. */
export function checkCamera(camera: CameraDef, store: StoreDef): CameraCalibrationReport {
  const issues: CalibrationIssue[] = [];
  const error = (code: CalibrationCode, message: string) => issues.push({ code, severity: 'error', message });
  const [w, h] = camera.resolution;
  if (!(w > 0 && h > 0)) error('BAD_RESOLUTION', `resolution ${w}×${h} must be positive`);
  const rotationProblem = checkRotation(camera.pose.rotation);
  if (rotationProblem) error('BAD_ROTATION', rotationProblem);
  const { fx, fy, cx, cy } = camera.intrinsics;
  for (const [name, f, size] of [
    ['fx', fx, w],
    ['fy', fy, h],
  ] as const) {
    const fov = (2 * Math.atan(size / 2 / f) * 180) / Math.PI;
    if (!(f > 0) || !Number.isFinite(f)) error('BAD_FOCAL', `${name} = ${f} must be a positive number of pixels`);
    else if (fov < MIN_FOV || fov > MAX_FOV) {
      error('BAD_FOCAL', `${name} = ${f} px gives a ${fov.toFixed(1)}° field of view over ${size} px (normalised K?)`);
    }
  }
  if (fx > 0 && fy > 0 && (fx / fy > 2 || fy / fx > 2)) error('BAD_FOCAL', `fx/fy = ${(fx / fy).toFixed(2)}`);
  if (!(cx >= 0 && cx <= w && cy >= 0 && cy <= h)) {
    error('BAD_PRINCIPAL_POINT', `principal point (${cx}, ${cy}) is outside the ${w}×${h} image`);
  }
  const z = camera.pose.position[2];
  if (!(z > 0)) error('BELOW_FLOOR', `camera height ${z} m: it must be above the floor (z up, metres)`);
  else if (z > MAX_HEIGHT) error('BELOW_FLOOR', `camera height ${z} m is not a ceiling (centimetres or inches?)`);
  if (issues.length === 0 && seenFloorFraction(camera, store) === 0) {
    error('SEES_NOTHING', 'no point of the store floor (0–2 m high) projects into the image: check the pose');
  }
  if (camera.distortion.some((k) => k !== 0)) {
    issues.push({
      code: 'DISTORTION_IGNORED',
      severity: 'warning',
      message: 'the tracker assumes undistorted keypoints: undistort in the detector before publishing',
    });
  }
  return { cameraId: camera.id, ok: issues.every((i) => i.severity !== 'error'), issues };
}

/** Checks every camera of a store. */
export function checkStoreCalibration(store: StoreDef): CameraCalibrationReport[] {
  return store.cameras.map((c) => checkCamera(c, store));
}

/** Why a camera-to-world rotation is not a rotation, or undefined when it is one. */
export function checkRotation(r: readonly number[]): string | undefined {
  if (r.length !== 9 || r.some((v) => !Number.isFinite(v))) return 'rotation must be 9 finite numbers (row-major 3×3)';
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      // Columns must be orthonormal: Rᵀ·R = I.
      const d = r[i]! * r[j]! + r[3 + i]! * r[3 + j]! + r[6 + i]! * r[6 + j]!;
      if (Math.abs(d - (i === j ? 1 : 0)) > 1e-3)
        return `rotation is not orthonormal (RᵀR[${i}][${j}] = ${d.toFixed(4)})`;
    }
  }
  const det =
    r[0]! * (r[4]! * r[8]! - r[5]! * r[7]!) -
    r[1]! * (r[3]! * r[8]! - r[5]! * r[6]!) +
    r[2]! * (r[3]! * r[7]! - r[4]! * r[6]!);
  if (det < 0) return 'rotation has determinant −1 (a reflection: one axis flipped)';
  return undefined;
}

/** Share of a grid of store points (floor outline's bounding box, 0 to 2 m high) inside the image. */
export function seenFloorFraction(camera: CameraDef, store: StoreDef): number {
  const xs = store.floor.outline.map((p) => p[0]);
  const ys = store.floor.outline.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  let seen = 0;
  let total = 0;
  for (let i = 0; i <= 10; i++) {
    for (let j = 0; j <= 10; j++) {
      for (const z of [0, 1, 2]) {
        total++;
        const p = projectPoint(camera, [x0 + ((x1 - x0) * i) / 10, y0 + ((y1 - y0) * j) / 10, z]);
        if (p.depth > 0 && p.u >= 0 && p.v >= 0 && p.u < camera.resolution[0] && p.v < camera.resolution[1]) seen++;
      }
    }
  }
  return seen / total;
}

export interface Correspondence {
  /** A surveyed point in store coordinates (metres). */
  world: Vec3;
  /** Where it appears in the camera image (pixels). */
  pixel: [number, number];
}

export interface ReprojectionReport {
  rmsPx: number;
  maxPx: number;
  perPoint: number[];
}

/**
 * Reprojection error of surveyed points: how far (pixels) each projects from where it was clicked.
 * A few pixels is good; tens of pixels mean the pose or intrinsics are off.
 */
export function reprojectionError(
  camera: CameraDef,
  points: readonly Correspondence[],
): Result<ReprojectionReport, 'NO_POINTS' | 'BEHIND_CAMERA'> {
  if (points.length === 0) return fail('NO_POINTS', 'give at least one surveyed point');
  const perPoint: number[] = [];
  for (const [i, p] of points.entries()) {
    const q = projectPoint(camera, p.world);
    if (q.depth <= 0) return fail('BEHIND_CAMERA', `point ${i} (${p.world.join(', ')}) is behind the camera`);
    perPoint.push(Math.hypot(q.u - p.pixel[0], q.v - p.pixel[1]));
  }
  const rmsPx = Math.sqrt(perPoint.reduce((s, e) => s + e * e, 0) / perPoint.length);
  return ok({ rmsPx, maxPx: Math.max(...perPoint), perPoint });
}
