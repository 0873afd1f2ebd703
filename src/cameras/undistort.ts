/**
 * Lens undistortion of detected pixels. Tracking and triangulation (src/vision) assume pinhole pixels, so the worker
 * publishes keypoints already undistorted with the camera's calibrated OpenCV coefficients [k1, k2, p1, p2, k3]:
 * wide ceiling lenses bend a body by tens of pixels near the image edge (cps-test-01: k1 = −0.47).
 */
import type { Detection } from '../protocol/messages.ts';
import type { CameraDef } from '../store/schema.ts';

/** Distorts normalised pinhole coordinates (the OpenCV model). */
export function distortNormalised(x: number, y: number, k: readonly number[]): [number, number] {
  const [k1 = 0, k2 = 0, p1 = 0, p2 = 0, k3 = 0] = k;
  const r2 = x * x + y * y;
  const radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3));
  return [x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x), y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y];
}

/** Inverts `distortNormalised` by Newton's method (numeric Jacobian); a few steps reach well below 0.01 px. */
export function undistortNormalised(xd: number, yd: number, k: readonly number[]): [number, number] {
  let x = xd;
  let y = yd;
  const h = 1e-6;
  for (let i = 0; i < 20; i++) {
    const [fx, fy] = distortNormalised(x, y, k);
    const ex = fx - xd;
    const ey = fy - yd;
    if (Math.abs(ex) + Math.abs(ey) < 1e-10) break;
    const [ax, ay] = distortNormalised(x + h, y, k);
    const [bx, by] = distortNormalised(x, y + h, k);
    const j00 = (ax - fx) / h;
    const j10 = (ay - fy) / h;
    const j01 = (bx - fx) / h;
    const j11 = (by - fy) / h;
    const det = j00 * j11 - j01 * j10;
    if (!(Math.abs(det) > 1e-12)) break;
    x -= (j11 * ex - j01 * ey) / det;
    y -= (-j10 * ex + j00 * ey) / det;
  }
  return [x, y];
}

/** A function from distorted image pixels to pinhole pixels for `camera` (identity without distortion). */
export function pixelUndistorter(camera: CameraDef): (u: number, v: number) => [number, number] {
  const k = camera.distortion;
  if (k.every((c) => c === 0)) return (u, v) => [u, v];
  const { fx, fy, cx, cy } = camera.intrinsics;
  return (u, v) => {
    const [x, y] = undistortNormalised((u - cx) / fx, (v - cy) / fy, k);
    return [x * fx + cx, y * fy + cy];
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The detection with keypoints and box in pinhole pixels (the box: bounds of its undistorted edges). */
export function undistortDetection(d: Detection, undistort: (u: number, v: number) => [number, number]): Detection {
  const keypoints = d.keypoints.map(([u, v, s]) => {
    const [x, y] = undistort(u, v);
    return [round1(x), round1(y), s] as [number, number, number];
  });
  const [bx, by, bw, bh] = d.box;
  const edge: [number, number][] = [];
  for (let i = 0; i <= 4; i++) {
    const f = i / 4;
    edge.push(
      undistort(bx + f * bw, by),
      undistort(bx + f * bw, by + bh),
      undistort(bx, by + f * bh),
      undistort(bx + bw, by + f * bh),
    );
  }
  const xs = edge.map((p) => p[0]);
  const ys = edge.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  return {
    box: [round1(x0), round1(y0), round1(Math.max(...xs) - x0), round1(Math.max(...ys) - y0)],
    score: d.score,
    keypoints,
  };
}
