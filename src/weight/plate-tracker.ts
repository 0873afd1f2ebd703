/**
 * One plate's signal: samples → 100 ms blocks (trimmed mean, so a single-sample spike never moves a block) →
 * an idle/touched state machine over a drifting baseline → "steps": the plate left its stable level and settled at
 * a new one. Steps of every size are reported; the shelf grouper decides which are events.
 * Works on 60 Hz batches and on 1 Hz keep-alives (report by exception) alike: a block is whatever the batch gives.
 */
import type { WeightConfig } from './config.ts';

export interface PlateStep {
  plateId: string;
  /** First block that left the baseline (or the start of the gap the change hid in). */
  tStart: number;
  /** When the level crossed half-way from the old level to the new one for good. */
  tChange: number;
  /** Start of the stable window the new level was measured on. */
  tSettled: number;
  /** End of that window: when the plate was known to be settled. */
  tEnd: number;
  /** Grams that left the plate (negative: weight arrived). */
  delta: number;
  /** Standard deviation of `delta`, grams. */
  sigma: number;
  /** Longest hole in the stream (beyond the sampling period) between tStart and tEnd, ms. */
  gapMs: number;
  /** Decided without settling (flush or max active time): the level is a guess. */
  forced: boolean;
}

type StepSink = (step: PlateStep) => void;

/** Blocks kept for the settle test; a settle window never needs more. */
const RING = 32;
/** Blocks used to learn a new plate's noise before it may trigger. */
const WARMUP_BLOCKS = 12;
const WARMUP_MS = 3000;
/** Time constant of the noise estimate: a 1 s keep-alive teaches as much as ten 100 ms blocks. */
const NOISE_TAU_MS = 5000;
/** Gaps are remembered this long so events can be flagged. */
const GAP_MEMORY_MS = 120_000;
/** Blocks the level must stay past half-way for the change time to be taken there. */
const CHANGE_HOLD = 3;

export class PlateTracker {
  private state: 'warmup' | 'idle' | 'active' = 'warmup';
  private baseline = 0;
  private noiseVar = 0;
  private warmValues: number[] = [];
  private warmMs = 0;
  private lastValue = 0;
  /** Recent blocks: start time, value, duration. */
  private readonly rt = new Float64Array(RING);
  private readonly rv = new Float64Array(RING);
  private readonly rd = new Float64Array(RING);
  private head = 0;
  private count = 0;
  /** The touch in progress. */
  private tStart = 0;
  private base = 0;
  private baseSigma = 0;
  private activeT: number[] = [];
  private activeV: number[] = [];
  /** Time of the next sample we expect. */
  private nextT = Number.NaN;
  /** A hole just seen in the stream, judged on the next block. */
  private gap: { from: number; to: number } | null = null;
  /** Sampling period of the previous batch, ms. */
  private period = 0;
  private readonly gaps: { from: number; to: number }[] = [];
  /** Event time of the last message. */
  lastSeen = Number.NaN;

  constructor(
    readonly plateId: string,
    private readonly cfg: WeightConfig,
    private readonly sink: StepSink,
  ) {}

  /** End of the time the stream has covered so far; NaN before the first message. */
  get coveredUntil(): number {
    return this.nextT;
  }

  get activeSince(): number | undefined {
    return this.state === 'active' ? this.tStart : undefined;
  }

  /** Block noise, grams. */
  get noise(): number {
    return Math.sqrt(this.noiseVar);
  }

  push(ts: number, hz: number, grams: readonly number[]): void {
    const period = 1000 / hz;
    this.lastSeen = Math.max(Number.isNaN(this.lastSeen) ? ts : this.lastSeen, ts);
    let i = 0;
    // Samples we already have (a report-by-exception stream replays the 0.5 s before its trigger) are skipped.
    if (!Number.isNaN(this.nextT)) {
      while (i < grams.length && ts + i * period < this.nextT - period / 2) i++;
      if (i === grams.length) return;
      const first = ts + i * period;
      // After a 1 s keep-alive a burst may start up to a second later (its 0.5 s pre-trigger included): not a loss.
      const hole = first - this.nextT;
      if (hole > Math.max(this.cfg.lostGapMs, period * 1.5, this.period))
        this.gap = { from: this.nextT - period, to: first };
    }
    const size = Math.max(1, Math.round((hz * this.cfg.blockMs) / 1000));
    for (; i < grams.length; i += size) {
      const n = Math.min(size, grams.length - i);
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = i; k < i + n; k++) {
        const g = grams[k]!;
        sum += g;
        if (g < min) min = g;
        if (g > max) max = g;
      }
      const value = n >= 3 ? (sum - min - max) / (n - 2) : sum / n;
      this.block(ts + i * period, value, n * period);
    }
    this.nextT = ts + grams.length * period;
    this.period = period;
  }

  /** Gaps that overlap [from, to], longest first (ms). */
  gapWithin(from: number, to: number): number {
    let longest = 0;
    for (const g of this.gaps) if (g.to >= from && g.from <= to) longest = Math.max(longest, g.to - g.from);
    return longest;
  }

  /** End of stream: a touch still in progress is decided on the latest window. */
  flush(): void {
    if (this.state === 'active' && this.count > 0) this.settle(this.window(true)!, true);
  }

  /**
   * A hole matters only if it may have hidden a change: the plate was in a touch, or came back off its baseline.
   * (Report by exception leaves harmless holes of up to a second between a keep-alive and a burst.)
   */
  private judgeGap(v: number): number {
    const gap = this.gap;
    this.gap = null;
    if (!gap || this.state === 'warmup') return Number.NaN;
    if (this.state === 'idle' && Math.abs(v - this.baseline) <= this.trigger()) return Number.NaN;
    this.gaps.push(gap);
    while (this.gaps.length > 0 && this.gaps[0]!.to < gap.to - GAP_MEMORY_MS) this.gaps.shift();
    return gap.from;
  }

  private block(t: number, v: number, dur: number): void {
    this.head = (this.head + 1) % RING;
    this.rt[this.head] = t;
    this.rv[this.head] = v;
    this.rd[this.head] = dur;
    if (this.count < RING) this.count++;
    const afterGap = this.judgeGap(v);
    const previous = this.lastValue;
    this.lastValue = v;
    if (this.state === 'warmup') this.warmup(v, dur);
    else if (this.state === 'idle') this.idle(t, v, dur, afterGap, previous);
    else this.touched(t, v);
  }

  private touched(t: number, v: number): void {
    this.activeT.push(t);
    this.activeV.push(v);
    const w = this.window(false);
    if (w) this.settle(w, false);
    else if (t - this.tStart > this.cfg.maxActiveMs) this.settle(this.window(true)!, true);
  }

  /**
   * The first blocks set the baseline (median) and the noise (median block-to-block step, ÷0.954 for a Gaussian):
   * both survive a hand that was already on the plate for part of the warm-up.
   */
  private warmup(v: number, dur: number): void {
    this.warmValues.push(v);
    this.warmMs += dur;
    const n = this.warmValues.length;
    if (n < WARMUP_BLOCKS && (this.warmMs < WARMUP_MS || n < 3)) return;
    const values = this.warmValues;
    const steps = values.slice(1).map((x, i) => Math.abs(x - values[i]!));
    this.baseline = median(values);
    this.noiseVar = steps.length > 0 ? (median(steps) / 0.954) ** 2 : 0;
    this.warmValues = [];
    this.state = 'idle';
  }

  private trigger(): number {
    return Math.max(this.cfg.triggerGrams, this.cfg.triggerZ * Math.sqrt(this.noiseVar));
  }

  private idle(t: number, v: number, dur: number, afterGap: number, previous: number): void {
    const d = v - this.baseline;
    if (Math.abs(d) > this.trigger()) {
      this.state = 'active';
      this.tStart = Number.isNaN(afterGap) ? t : afterGap;
      this.base = this.baseline;
      this.baseSigma = this.levelSigma(Math.max(2, (2 * this.cfg.driftTauMs) / Math.max(dur, 1)));
      this.activeT = [t];
      this.activeV = [v];
      return;
    }
    // Re-zero slowly (drift). Learn the noise from block-to-block steps of quiet blocks, clipped: a level shift
    // that slipped under the trigger must not teach the plate that it is noisy.
    this.baseline += d * Math.min(1, dur / this.cfg.driftTauMs);
    const step = v - previous;
    const clip = Math.max(16 * this.noiseVar, this.cfg.triggerGrams ** 2);
    this.noiseVar += (Math.min(step * step, clip) / 2 - this.noiseVar) * Math.min(0.5, dur / NOISE_TAU_MS);
  }

  /** The newest blocks spanning settleMs: their mean and spread; null unless stable (or `any`). */
  private window(any: boolean): { mean: number; spread: number; n: number; t0: number; t1: number } | null {
    const band = Math.max(this.cfg.settleBandGrams, this.cfg.settleZ * Math.sqrt(this.noiseVar));
    let span = 0;
    let n = 0;
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let idx = this.head;
    const t1 = this.rt[this.head]! + this.rd[this.head]!;
    while (n < this.count && (span < this.cfg.settleMs || n < 2)) {
      const v = this.rv[idx]!;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      span += this.rd[idx]!;
      n++;
      if (!any && max - min > band) return null;
      idx = (idx - 1 + RING) % RING;
    }
    if (!any && (span < this.cfg.settleMs || n < 2)) return null;
    const t0 = this.rt[(idx + 1) % RING]!;
    return { mean: sum / n, spread: max - min, n, t0, t1 };
  }

  private levelSigma(n: number): number {
    // Block values are correlated (vibration, creep): count half of them as independent.
    return Math.max(this.cfg.measurementSigmaGrams, Math.sqrt((this.noiseVar * 2) / n));
  }

  private settle(w: { mean: number; spread: number; n: number; t0: number; t1: number }, forced: boolean): void {
    const delta = this.base - w.mean;
    const after = forced ? Math.max(this.levelSigma(w.n), w.spread / 2) : this.levelSigma(w.n);
    const step: PlateStep = {
      plateId: this.plateId,
      tStart: this.tStart,
      tChange: this.changeTime(w.mean),
      tSettled: w.t0,
      tEnd: w.t1,
      delta,
      sigma: Math.hypot(this.baseSigma, after),
      gapMs: this.gapWithin(this.tStart - this.cfg.settleMs, w.t1),
      forced,
    };
    if (forced && Math.abs(delta) < this.cfg.stepZ * step.sigma) {
      // A plate that never settles on an unchanged level was just noisier than we thought: learn it.
      this.noiseVar = Math.max(this.noiseVar, (w.spread / this.cfg.settleZ) ** 2);
    }
    this.state = 'idle';
    this.baseline = w.mean;
    this.activeT = [];
    this.activeV = [];
    this.sink(step);
  }

  /**
   * When the level crossed half-way to the new level. Weight taken off: the first crossing that then held for
   * CHANGE_HOLD blocks, so a later press of the same hand does not move it. Weight put on: a press before the item
   * landed pushes the same way, so the last crossing, after which the level stayed. Falls back to the last crossing.
   */
  private changeTime(level: number): number {
    const mid = (this.base + level) / 2;
    const oldAbove = this.base > mid;
    const n = this.activeV.length;
    let run = 0;
    for (let k = 0; k < n && oldAbove; k++) {
      run = this.activeV[k]! > mid === oldAbove ? 0 : run + 1;
      if (run >= CHANGE_HOLD) return this.activeT[k - CHANGE_HOLD + 1]!;
    }
    for (let k = n - 1; k >= 0; k--) {
      if (this.activeV[k]! > mid === oldAbove) return this.activeT[k + 1] ?? this.activeT[k]!;
    }
    return this.tStart;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
