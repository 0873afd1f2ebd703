/**
 * Synthetic plate signals for the weight stage's tests and benchmark: a seeded generator of 60 Hz load-cell
 * readings (noise, drift, spikes, hand presses, item changes, holes in the stream) and the two ways a shelf
 * controller reports them: full rate (12-sample batches) and report by exception (1 Hz keep-alives, 60 Hz bursts).
 */
import type { DeviceMessage } from '../protocol/messages.ts';
import { createRng } from '../sim/random.ts';

export type PlateMessage = Extract<DeviceMessage, { kind: 'plate.weight' }>;

export interface PlateScript {
  plateId: string;
  /** Absolute reading with nothing touched (cells are not zeroed). */
  base: number;
  /** Noise sd per sample, grams (default 1). */
  noise?: number;
  /** Slow drift, grams per second. */
  drift?: number;
  /** Grams that leave the plate at `t` (ms from start); negative: weight arrives. Ramps over `rampMs`. */
  changes?: { t: number; grams: number; rampMs?: number }[];
  /** Hand presses or leans: a half-sine bump of `grams` between t0 and t1 (ms from start), with tremor. */
  presses?: { t0: number; t1: number; grams: number }[];
  /** Single-sample spikes. */
  spikes?: { t: number; grams: number }[];
  /** Windows (ms from start) in which the controller sends nothing for this plate. */
  gaps?: { from: number; to: number }[];
}

const HZ = 60;
const PERIOD = 1000 / HZ;
const BATCH = 12;

/** The plate's 60 Hz readings from 0 to durationMs. */
export function samples(script: PlateScript, durationMs: number, seed: number): Float64Array {
  const n = Math.floor(durationMs / PERIOD);
  const out = new Float64Array(n);
  const rng = createRng(seed);
  const noise = script.noise ?? 1;
  for (let i = 0; i < n; i++) {
    const t = i * PERIOD;
    let g = script.base + ((script.drift ?? 0) * t) / 1000 + noise * rng.gauss();
    for (const c of script.changes ?? []) {
      const ramp = c.rampMs ?? 150;
      g -= c.grams * Math.min(1, Math.max(0, (t - c.t) / ramp + 0.5));
    }
    for (const p of script.presses ?? []) {
      if (t < p.t0 || t > p.t1) continue;
      const x = (t - p.t0) / (p.t1 - p.t0);
      g += p.grams * Math.sin(Math.PI * x) * (1 + 0.08 * Math.sin(2 * Math.PI * 9 * (t / 1000)));
    }
    out[i] = g;
  }
  for (const s of script.spikes ?? []) {
    const i = Math.round(s.t / PERIOD);
    if (i >= 0 && i < n) out[i]! += s.grams;
  }
  return out;
}

function inGap(script: PlateScript, t: number): boolean {
  return (script.gaps ?? []).some((g) => t >= g.from && t < g.to);
}

function message(plateId: string, ts: number, hz: number, grams: number[]): PlateMessage {
  return { kind: 'plate.weight', plateId, v: 1, ts: Math.round(ts), hz, grams };
}

/** Full rate: one 12-sample batch per plate every 200 ms. */
export function fullRate(script: PlateScript, t0: number, durationMs: number, seed: number): PlateMessage[] {
  const g = samples(script, durationMs, seed);
  const out: PlateMessage[] = [];
  for (let i = 0; i + BATCH <= g.length; i += BATCH) {
    if (inGap(script, i * PERIOD)) continue;
    out.push(message(script.plateId, t0 + i * PERIOD, HZ, Array.from(g.subarray(i, i + BATCH))));
  }
  return out;
}

/**
 * Report by exception: a quiet plate sends `{hz: 1, grams: [mean of the last second]}` each second; when a reading
 * (100 ms average) departs more than 3 g from the last reported level it streams 60 Hz batches from 0.5 s before the trigger until
 * 2 s after it is quiet again.
 */
export function byException(script: PlateScript, t0: number, durationMs: number, seed: number): PlateMessage[] {
  const g = samples(script, durationMs, seed);
  const out: PlateMessage[] = [];
  const perSecond = HZ;
  let reported = mean(g, 0, perSecond);
  let i = 0;
  while (i + perSecond <= g.length) {
    let trigger = -1;
    for (let k = i; k < i + perSecond; k++) {
      // The controller compares a 100 ms average, so sample noise alone does not start a burst.
      if (Math.abs(mean(g, Math.max(0, k - 5), 6) - reported) > 3) {
        trigger = k;
        break;
      }
    }
    if (trigger < 0) {
      if (!inGap(script, i * PERIOD)) out.push(message(script.plateId, t0 + i * PERIOD, 1, [mean(g, i, perSecond)]));
      i += perSecond;
      continue;
    }
    // Stream from 0.5 s before the trigger until 2 s of quiet (spread under 6 g).
    let k = Math.max(0, trigger - HZ / 2);
    let quietSince = -1;
    while (k + BATCH <= g.length) {
      if (!inGap(script, k * PERIOD))
        out.push(message(script.plateId, t0 + k * PERIOD, HZ, Array.from(g.subarray(k, k + BATCH))));
      k += BATCH;
      const lo = Math.max(0, k - HZ / 2);
      const quiet = spread(g, lo, k) < 6;
      if (!quiet) quietSince = -1;
      else if (quietSince < 0) quietSince = k;
      if (quietSince >= 0 && k - quietSince >= 2 * HZ) break;
    }
    reported = mean(g, Math.max(0, k - HZ / 2), HZ / 2);
    i = k;
  }
  return out;
}

function mean(g: Float64Array, from: number, n: number): number {
  let s = 0;
  const to = Math.min(g.length, from + n);
  for (let k = from; k < to; k++) s += g[k]!;
  return s / Math.max(1, to - from);
}

function spread(g: Float64Array, from: number, to: number): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let k = from; k < to; k++) {
    min = Math.min(min, g[k]!);
    max = Math.max(max, g[k]!);
  }
  return max - min;
}

/** Messages of several plates merged in timestamp order (stable for ties), as a controller network delivers them. */
export function merge(streams: PlateMessage[][]): PlateMessage[] {
  return streams.flat().sort((a, b) => a.ts - b.ts || (a.plateId < b.plateId ? -1 : a.plateId > b.plateId ? 1 : 0));
}
