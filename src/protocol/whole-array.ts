/**
 * Zod schemas for the big numeric arrays of the wire protocol (a plate batch's grams, a frame's detections with
 * 17 keypoints each), checked in one pass instead of one zod parse per element. Element-wise parsing allocates a
 * result object per number and copies every array, and at full sensor rate that was most of the engine's time and
 * garbage. The element-wise schema stays the definition: the output type comes from it, and it runs whenever the
 * one-pass test says no, so a rejected payload gets exactly zod's issues (paths and messages) as before.
 * The one-pass test must accept nothing the element-wise schema rejects; whole-array.test.ts holds them together.
 */
import { z } from 'zod';

/**
 * `exact`'s type and verdicts, checked by `accepts` in one pass. Valid input is passed through, not copied, so a
 * consumer must not write into a message's arrays (none does: the stages read them as readonly).
 */
export function wholeArray<S extends z.ZodType>(exact: S, accepts: (input: unknown) => boolean) {
  return z.custom<z.output<S>>().check((payload) => {
    if (accepts(payload.value)) return;
    const exactly = exact.safeParse(payload.value);
    if (exactly.success) return;
    for (const { path, message } of exactly.error.issues) {
      payload.issues.push({ code: 'custom', path, message, input: payload.value });
    }
  });
}

/** Passes a zod number: a finite number (zod 4 rejects NaN and ±Infinity). */
function isNum(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** An array of `min`..`max` zod numbers. */
export function isNumberArray(input: unknown, min: number, max: number): boolean {
  if (!Array.isArray(input) || input.length < min || input.length > max) return false;
  for (let i = 0; i < input.length; i++) if (!isNum(input[i])) return false;
  return true;
}

/** `[u, v, score]` with score in [0, 1]. */
function isKeypoint(k: unknown): boolean {
  if (!Array.isArray(k) || k.length !== 3) return false;
  const score = k[2];
  return isNum(k[0]) && isNum(k[1]) && isNum(score) && score >= 0 && score <= 1;
}

/** Exactly `n` keypoints `[u, v, score]`. */
export function isKeypoints(input: unknown, n: number): boolean {
  if (!Array.isArray(input) || input.length !== n) return false;
  for (let i = 0; i < n; i++) if (!isKeypoint(input[i])) return false;
  return true;
}

/** A non-null, non-array object, as z.object wants it. */
function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** One pose detection: box `[x, y, w ≥ 0, h ≥ 0]`, score in [0, 1], exactly `keypoints` keypoints. */
function isDetection(d: unknown, keypoints: number): boolean {
  if (!isRecord(d)) return false;
  const box = d.box;
  const score = d.score;
  if (!Array.isArray(box) || box.length !== 4) return false;
  const w = box[2];
  const h = box[3];
  if (!isNum(box[0]) || !isNum(box[1]) || !isNum(w) || !isNum(h) || w < 0 || h < 0) return false;
  if (!isNum(score) || score < 0 || score > 1) return false;
  return isKeypoints(d.keypoints, keypoints);
}

/** Up to `max` detections. */
export function isDetectionArray(input: unknown, max: number, keypoints: number): boolean {
  if (!Array.isArray(input) || input.length > max) return false;
  for (let i = 0; i < input.length; i++) if (!isDetection(input[i], keypoints)) return false;
  return true;
}
