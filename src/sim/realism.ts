/**
 * Load-cell realism measures, computed the same way on the real AutoCheckout recording and on simulated plates:
 * noise σ (robust, around a 1 s median), share of repeated samples, single-sample spike rate and size, and drift.
 * docs/simulator.md shows the comparison; realism.test.ts keeps the simulator within range of the real data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawSensorParams, PlateSensor } from './plates.ts';
import { createRng } from './random.ts';

export interface NoiseStats {
  plates: number;
  samples: number;
  sigmaP10: number;
  sigmaP50: number;
  sigmaP90: number;
  /** Share of samples equal to the one before. */
  heldShare: number;
  /** Spikes per sample and their median size in grams. */
  spikeRate: number;
  spikeP50: number;
  /** |median of the last 5 s − median of the first 5 s| over the series, 90th percentile. */
  driftP90: number;
}

const median = (xs: number[]) => quantile(xs, 0.5);

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Stats over 60 Hz series of resting plates (one array of grams per plate). */
export function noiseStats(series: number[][]): NoiseStats {
  const sigmas: number[] = [];
  const drifts: number[] = [];
  const spikes: number[] = [];
  let held = 0;
  let samples = 0;
  for (const v of series) {
    const residuals: number[] = [];
    for (let i = 0; i + 60 <= v.length; i += 60) {
      const w = v.slice(i, i + 60);
      const m = median(w);
      for (const x of w) residuals.push(Math.abs(x - m));
    }
    const sigma = 1.4826 * median(residuals);
    sigmas.push(sigma);
    for (let i = 1; i < v.length; i++) {
      samples++;
      if (v[i] === v[i - 1]) held++;
      if (i + 1 < v.length) {
        const a = v[i - 1]!;
        const c = v[i + 1]!;
        const b = v[i]!;
        if (Math.abs(a - c) < Math.max(3 * sigma, 3) && Math.abs(b - (a + c) / 2) > Math.max(8 * sigma, 10)) {
          spikes.push(Math.abs(b - (a + c) / 2));
        }
      }
    }
    if (v.length >= 600) drifts.push(Math.abs(median(v.slice(-300)) - median(v.slice(0, 300))));
  }
  return {
    plates: series.length,
    samples,
    sigmaP10: quantile(sigmas, 0.1),
    sigmaP50: quantile(sigmas, 0.5),
    sigmaP90: quantile(sigmas, 0.9),
    heldShare: samples ? held / samples : 0,
    spikeRate: samples ? spikes.length / samples : 0,
    spikeP50: median(spikes),
    driftP90: quantile(drifts, 0.9),
  };
}

/** The real recording's plates, one series each; plates whose weight moved by more than 20 g are left out. */
export function readRealPlates(folder: string): number[][] {
  const out: number[][] = [];
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith('.csv'))
    .sort()) {
    const grams = readFileSync(join(folder, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => Number(l.split(',')[1]));
    // Resting plates only: an item picked or put back is not noise.
    if (Math.abs(median(grams.slice(-120)) - median(grams.slice(0, 120))) > 20) continue;
    out.push(grams);
  }
  return out;
}

/** 300 resting simulated plates, 33.6 s each at 60 Hz, as the full-rate controller sends them. */
export function simulatedPlates(seed: number, plates = 300, seconds = 33.6): number[][] {
  const rng = createRng(seed);
  const out: number[][] = [];
  for (let i = 0; i < plates; i++) {
    const sensor = new PlateSensor(`p${i}`, drawSensorParams(rng), 800, rng.fork(`p${i}`), 0, 'full');
    const grams: number[] = [];
    for (let t = 0; t < seconds * 10; t++) for (const b of sensor.tick(6, false)) grams.push(...b.grams);
    out.push(grams);
  }
  return out;
}
