/**
 * The load cell under each plate and the shelf controller that reports it. The cell reads the absolute load
 * (tare + stock, never zeroed) at 60 Hz with noise, ADC quantisation, held samples, single-sample spikes and slow
 * drift; hands add presses and settling ringing. The controller either streams everything (`full`) or reports by
 * exception: a keep-alive mean each second while quiet, 60 Hz batches (with 0.5 s of history) while the load moves.
 * Parameters are calibrated against the real AutoCheckout recording (see docs/simulator.md).
 */
import { createFastNoise, type FastNoise, type Rng } from './random.ts';

export const SAMPLE_HZ = 60;
const SAMPLE_MS = 1000 / SAMPLE_HZ;
const BATCH = 12;
const HISTORY = 120;
/** ADC step of the real cells, in grams. */
const QUANTUM = 0.241;
/** Fraction of samples that repeat the previous reading (the ADC had no new conversion). */
const HOLD_P = 0.12;
const HOLD_U32 = HOLD_P * 4294967296;
/** Held samples repeat earlier noise, so a mean of n samples is a little noisier than σ/√n. */
const HELD_NOISE = 1.15;
/** Single-sample spikes per sample, and their size: 8 g + Exp(6 g), sometimes 30–100 g. */
const SPIKE_P = 1.5e-3;
/** Exception reporting: trigger when a 200 ms mean departs from the last reported level by more than this. */
export const TRIGGER_GRAMS = 3;
const PRE_TRIGGER_SAMPLES = 30;
const QUIET_TICKS_TO_STOP = 20;

export interface PlateSensorParams {
  tare: number;
  sigma: number;
  driftPerRootSec: number;
}

export function drawSensorParams(rng: Rng): PlateSensorParams {
  // About one cell in eight reads flat (noise below one ADC step), as in the real recording.
  const sigma = rng.chance(0.13) ? 0.05 : Math.min(3.5, Math.max(0.2, Math.exp(rng.gauss(Math.log(0.75), 0.85))));
  return { tare: rng.uniform(250, 700), sigma, driftPerRootSec: rng.uniform(0.03, 0.12) };
}

type Transient =
  | { kind: 'step'; t0: number; dur: number; delta: number }
  | { kind: 'bump'; t0: number; dur: number; amp: number }
  | { kind: 'ring'; t0: number; amp: number; hz: number; decay: number };

export interface PlateBatch {
  ts: number;
  hz: number;
  grams: number[];
}

export class PlateSensor {
  /** Grams resting on the plate in steady state: tare plus stock plus anything misplaced. */
  private level: number;
  private drift = 0;
  private last: number;
  private transients: Transient[] = [];
  private readonly history = new Float64Array(HISTORY);
  private sampleIndex = 0;
  // Controller state (exception mode).
  private reported: number;
  private streaming = false;
  private nextBatch = 0;
  private quietTicks = 0;
  private secondSum = 0;
  private secondSamples = 0;
  /** First sample of this second the resting path skipped since the last exact one (NaN: none). */
  private skippedFrom = Number.NaN;
  /** False when part of the current second was streamed: no keep-alive for it. */
  private secondClean = true;
  private readonly noise: FastNoise;
  private nextSpike: number;
  private readonly out: PlateBatch[] = [];
  private historyValid = true;
  private readonly spikes: [number, number][] = [];

  constructor(
    readonly plateId: string,
    private readonly params: PlateSensorParams,
    stockGrams: number,
    rng: Rng,
    private readonly start: number,
    private readonly mode: 'exception' | 'full',
  ) {
    this.level = params.tare + stockGrams;
    this.last = this.level;
    this.reported = this.level;
    this.noise = createFastNoise(rng);
    this.nextSpike = Math.ceil(Math.log(Math.max(this.noise.uniform(), 1e-12)) / Math.log(1 - SPIKE_P));
  }

  /** Steady-state grams (tare + stock), ignoring drift and noise. */
  get steadyGrams(): number {
    return this.level + this.transients.reduce((s, t) => s + (t.kind === 'step' ? t.delta : 0), 0);
  }

  /** Weight arriving (+) or leaving (−) over `dur` ms from `t0`. */
  addStep(t0: number, delta: number, dur = 180): void {
    this.transients.push({ kind: 'step', t0, dur, delta });
  }

  /** A press or lean that returns: a raised-cosine bump of `amp` grams lasting `dur` ms. */
  addBump(t0: number, dur: number, amp: number): void {
    this.transients.push({ kind: 'bump', t0, dur, amp });
  }

  /** Settling after a touch: a damped oscillation. */
  addRing(t0: number, amp: number, hz = 4.5, decay = 350): void {
    this.transients.push({ kind: 'ring', t0, amp, hz, decay });
  }

  /**
   * Advances the cell by `n` samples (one tick) and returns the batches the controller sends now, in time order.
   * `silent` suppresses sending (a controller that stopped talking) without stopping the cell or its logic.
   */
  tick(n: number, silent: boolean): PlateBatch[] {
    // Reused between ticks: callers consume the batches before the next tick.
    const out = this.out;
    out.length = 0;
    const tickStart = this.sampleIndex;
    if (this.mode === 'exception' && !this.streaming && this.transients.length === 0) {
      // A resting plate under exception reporting: nothing to compute until the second's keep-alive.
      if (Number.isNaN(this.skippedFrom)) this.skippedFrom = this.sampleIndex;
      this.sampleIndex += n;
      this.historyValid = false;
      if (this.sampleIndex % SAMPLE_HZ === 0) this.quietSecond(out, tickStart);
      return silent ? SILENT : out;
    }
    // Drift is a slow random walk: one step per tick is as good as one per sample.
    this.drift += this.noise.normal() * this.params.driftPerRootSec * Math.sqrt(n / SAMPLE_HZ);
    if (!this.historyValid) {
      this.synthesizeHistory();
      this.countSkipped();
    }
    for (let k = 0; k < n; k++) {
      const value = this.transients.length > 0 ? this.sample(this.time(this.sampleIndex)) : this.quietSample();
      this.history[this.sampleIndex % HISTORY] = value;
      this.sampleIndex++;
      if (this.mode === 'full') {
        if (this.sampleIndex % BATCH === 0) out.push(this.batchFrom(this.sampleIndex - BATCH));
        continue;
      }
      this.secondSum += value;
      this.secondSamples++;
      if (this.sampleIndex % SAMPLE_HZ === 0) this.endOfSecond(out, 0);
    }
    if (this.mode === 'exception') this.control(tickStart, out);
    return silent ? SILENT : out;
  }

  /**
   * The end of a second on a resting plate: only means are drawn (noise shrinks by √n, spikes count 1/n); the
   * 60 Hz history is filled in only if it is ever needed. Resting plates are checked for a departure once a second.
   */
  private quietSecond(out: PlateBatch[], tickStart: number): void {
    const noise = this.noise;
    const sigma = this.params.sigma * HELD_NOISE;
    this.drift += noise.normal() * this.params.driftPerRootSec;
    const base = this.level + this.drift;
    const fast = SAMPLE_HZ - this.secondSamples;
    let sum = base * fast + noise.normal() * sigma * Math.sqrt(fast);
    let last200 = base + (noise.normal() * sigma) / Math.sqrt(BATCH);
    while (this.nextSpike < this.sampleIndex) {
      const at = this.nextSpike;
      const size = this.spike();
      this.spikes.push([at, size]);
      if (this.spikes.length > 8) this.spikes.shift();
      sum += size;
      if (at >= this.sampleIndex - BATCH) last200 += size / BATCH;
    }
    this.endOfSecond(out, sum);
    if (Math.abs(last200 - this.reported) > TRIGGER_GRAMS) {
      this.synthesizeHistory();
      this.control(tickStart, out);
    }
  }

  /**
   * A touch began mid-second: the samples of this second the resting path skipped join its keep-alive mean (from the
   * history just filled in), or the mean would cover only the touched part of the second, divided by the whole.
   */
  private countSkipped(): void {
    if (Number.isNaN(this.skippedFrom)) return;
    for (let i = this.skippedFrom; i < this.sampleIndex; i++) this.secondSum += this.history[i % HISTORY]!;
    this.secondSamples += this.sampleIndex - this.skippedFrom;
    this.skippedFrom = Number.NaN;
  }

  private endOfSecond(out: PlateBatch[], extraSum: number): void {
    if (!this.streaming && this.secondClean) {
      this.reported = (this.secondSum + extraSum) / SAMPLE_HZ;
      out.push({ ts: Math.round(this.time(this.sampleIndex - SAMPLE_HZ)), hz: 1, grams: [round1(this.reported)] });
    }
    this.secondSum = 0;
    this.secondSamples = 0;
    this.skippedFrom = Number.NaN;
    this.secondClean = !this.streaming;
  }

  /** Fills the 60 Hz history behind a resting plate (noise, holds, the spikes that happened) when it is needed. */
  private synthesizeHistory(): void {
    for (let i = Math.max(0, this.sampleIndex - HISTORY); i < this.sampleIndex; i++) {
      const spike = this.spikes.find((sp) => sp[0] === i);
      const saved = this.nextSpike;
      this.nextSpike = Number.POSITIVE_INFINITY;
      this.history[i % HISTORY] = this.quietSample() + (spike ? spike[1] : 0);
      this.nextSpike = saved;
    }
    this.historyValid = true;
  }

  /** The hot path: a resting plate, with the noise generator inlined. */
  private quietSample(): number {
    const n = this.noise;
    // Signed 32-bit state so V8 keeps it unboxed.
    let s = n.state;
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    if (s >>> 0 < HOLD_U32) {
      n.state = s;
      return this.last;
    }
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    n.state = s;
    let v = this.level + this.drift + n.table[s & 4095]! * this.params.sigma;
    v = Math.round(v / QUANTUM) * QUANTUM;
    this.last = v;
    if (this.sampleIndex >= this.nextSpike) return v + this.spike();
    return v;
  }

  /** A spike now, and the gap to the next one (geometric, so the per-sample test is a comparison). */
  private spike(): number {
    const n = this.noise;
    this.nextSpike = this.sampleIndex + Math.ceil(Math.log(Math.max(n.uniform(), 1e-12)) / Math.log(1 - SPIKE_P));
    const size = n.uniform() < 0.05 ? 30 + 70 * n.uniform() : 8 - 6 * Math.log(Math.max(n.uniform(), 1e-9));
    return n.uniform() < 0.5 ? size : -size;
  }

  /** Exception logic, once per tick: start streaming on a departure (with history), stop after 2 s of quiet. */
  private control(tickStart: number, out: PlateBatch[]): void {
    if (this.sampleIndex < 2 * BATCH) return;
    const now = this.mean(this.sampleIndex - BATCH, BATCH);
    if (!this.streaming && Math.abs(now - this.reported) > TRIGGER_GRAMS) {
      this.streaming = true;
      this.secondClean = false;
      this.quietTicks = 0;
      // Start 0.5 s before the trigger, but never re-send samples already sent.
      this.nextBatch = Math.max(this.nextBatch, tickStart - PRE_TRIGGER_SAMPLES, 0);
    }
    if (!this.streaming) return;
    while (this.nextBatch + BATCH <= this.sampleIndex) {
      out.push(this.batchFrom(this.nextBatch));
      this.nextBatch += BATCH;
    }
    const before = this.mean(this.sampleIndex - 2 * BATCH, BATCH);
    this.quietTicks = Math.abs(now - before) <= 2 ? this.quietTicks + 1 : 0;
    if (this.quietTicks >= QUIET_TICKS_TO_STOP && this.nextBatch === this.sampleIndex) {
      this.streaming = false;
      this.reported = now;
    }
  }

  private batchFrom(index: number): PlateBatch {
    const grams: number[] = [];
    for (let i = index; i < index + BATCH; i++) grams.push(round1(this.history[i % HISTORY]!));
    return { ts: Math.round(this.time(index)), hz: SAMPLE_HZ, grams };
  }

  private mean(from: number, n: number): number {
    let s = 0;
    for (let i = from; i < from + n; i++) s += this.history[i % HISTORY]!;
    return s / n;
  }

  private time(index: number): number {
    return this.start + index * SAMPLE_MS;
  }

  private sample(t: number): number {
    const noise = this.noise;
    const extra = this.applyTransients(t);
    let v = this.level + this.drift + extra + noise.normal() * this.params.sigma;
    v = Math.round(v / QUANTUM) * QUANTUM;
    this.last = v;
    if (this.sampleIndex >= this.nextSpike) return v + this.spike();
    return v;
  }

  private applyTransients(t: number): number {
    let extra = 0;
    const keep: Transient[] = [];
    for (const tr of this.transients) {
      const dt = t - tr.t0;
      if (dt < 0) {
        keep.push(tr);
        continue;
      }
      if (tr.kind === 'step') {
        if (dt >= tr.dur) {
          this.level += tr.delta;
          continue;
        }
        extra += tr.delta * (dt / tr.dur);
      } else if (tr.kind === 'bump') {
        if (dt >= tr.dur) continue;
        const s = Math.sin((Math.PI * dt) / tr.dur);
        extra += tr.amp * s * s;
      } else {
        if (dt >= tr.decay * 6) continue;
        extra += tr.amp * Math.exp(-dt / tr.decay) * Math.sin((2 * Math.PI * tr.hz * dt) / 1000);
      }
      keep.push(tr);
    }
    this.transients = keep;
    return extra;
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const SILENT: PlateBatch[] = [];
