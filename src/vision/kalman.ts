/**
 * Constant-velocity Kalman filter for a shopper's position on the floor plane.
 * x and y are independent with the same noise, so one 2×2 covariance (position, velocity) serves both axes.
 * Times are event-time milliseconds; positions metres; velocities metres per second.
 */

export interface FloorKalman {
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** Covariance per axis: position variance, position–velocity covariance, velocity variance. */
  pp: number;
  pv: number;
  vv: number;
  /** Event time (ms) of the state. */
  t: number;
}

export interface KalmanTuning {
  /** White-acceleration spectral density (m²/s³): how quickly people change speed and direction. */
  accelNoise: number;
  /** Position variance cap (m²): a lost shopper is somewhere in the aisle, not anywhere in the city. */
  maxPositionVar: number;
}

export function createFloorKalman(x: number, y: number, t: number, positionSigma: number): FloorKalman {
  // Unknown initial speed: walking pace is about 1.3 m/s, so a 1 m/s sigma covers standing to walking.
  return { x, y, vx: 0, vy: 0, pp: positionSigma ** 2, pv: 0, vv: 1, t };
}

/** The predicted position and its 1-σ radius at time t, without changing the filter. */
export function predictAt(k: FloorKalman, t: number, tuning: KalmanTuning): { x: number; y: number; sigma: number } {
  const dt = (t - k.t) / 1000;
  const adt = Math.abs(dt);
  const pp = k.pp + 2 * adt * k.pv + adt * adt * k.vv + (tuning.accelNoise * adt ** 3) / 3;
  return { x: k.x + k.vx * dt, y: k.y + k.vy * dt, sigma: Math.sqrt(Math.min(pp, tuning.maxPositionVar)) };
}

/** Moves the filter forward to t (no-op for earlier times: late measurements are shifted instead, see update). */
export function predict(k: FloorKalman, t: number, tuning: KalmanTuning): void {
  const dt = (t - k.t) / 1000;
  if (dt <= 0) return;
  const q = tuning.accelNoise;
  k.x += k.vx * dt;
  k.y += k.vy * dt;
  const pp = k.pp + 2 * dt * k.pv + dt * dt * k.vv + (q * dt ** 3) / 3;
  const pv = k.pv + dt * k.vv + (q * dt * dt) / 2;
  const vv = k.vv + q * dt;
  k.pp = Math.min(pp, tuning.maxPositionVar);
  // Keep the covariance positive definite when the position variance hits its cap.
  k.pv = Math.sign(pv) * Math.min(Math.abs(pv), Math.sqrt(k.pp * vv) * 0.99);
  k.vv = vv;
  k.t = t;
}

/** Slows the velocity of a shopper nobody has seen for a while: people stop more often than they keep walking. */
export function damp(k: FloorKalman, factor: number): void {
  k.vx *= factor;
  k.vy *= factor;
}

/**
 * Fuses a floor-position measurement taken at time `tz` with variance r (m²). A measurement older than the
 * filter is carried forward along the current velocity, with the extra uncertainty that adds.
 */
export function update(k: FloorKalman, zx: number, zy: number, r: number, tz: number, tuning: KalmanTuning): void {
  predict(k, tz, tuning);
  const late = Math.max(0, (k.t - tz) / 1000);
  if (late > 0) {
    zx += k.vx * late;
    zy += k.vy * late;
    r += late * late * k.vv;
  }
  const s = k.pp + r;
  const kp = k.pp / s;
  const kv = k.pv / s;
  const ix = zx - k.x;
  const iy = zy - k.y;
  k.x += kp * ix;
  k.y += kp * iy;
  k.vx += kv * ix;
  k.vy += kv * iy;
  const pp = k.pp;
  const pv = k.pv;
  k.pp = (1 - kp) * pp;
  k.pv = (1 - kp) * pv;
  k.vv = k.vv - kv * pv;
}
