/**
 * Recent plate weight samples kept at the edge, per plate, so the review console can show the weight trace behind a
 * shelf event. Bounded by event time (a retention window behind each plate's newest batch) and by a batch count,
 * whichever bites first, so a chatty or broken plate cannot grow memory without limit.
 */

export interface PlateTraceOptions {
  /** Keep batches this far behind the plate's newest one, ms of event time. */
  retainMs: number;
  /** Hard cap on batches kept per plate. */
  maxBatches: number;
}

export const DEFAULT_TRACE_OPTIONS: PlateTraceOptions = { retainMs: 5 * 60_000, maxBatches: 4_000 };

interface Batch {
  ts: number;
  hz: number;
  grams: readonly number[];
}

/** One plate's batches in arrival order, trimmed from the front through a moving head index. */
class PlateRing {
  private batches: Batch[] = [];
  private head = 0;

  add(batch: Batch, options: PlateTraceOptions): void {
    this.batches.push(batch);
    const newest = batch.ts;
    while (this.head < this.batches.length) {
      const first = this.batches[this.head]!;
      const tooMany = this.batches.length - this.head > options.maxBatches;
      if (!tooMany && first.ts >= newest - options.retainMs) break;
      this.head += 1;
    }
    // Compact now and then rather than shifting on every batch.
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  samples(t0: number, t1: number): [number, number][] {
    const out: [number, number][] = [];
    for (let i = this.head; i < this.batches.length; i++) {
      const b = this.batches[i]!;
      const step = 1000 / b.hz;
      b.grams.forEach((g, k) => {
        const t = Math.round(b.ts + k * step);
        if (t >= t0 && t <= t1) out.push([t, g]);
      });
    }
    // Batches arrive roughly in order; a late one must not make the trace zig-zag.
    return out.sort((a, b) => a[0] - b[0]);
  }

  size(): number {
    return this.batches.length - this.head;
  }
}

export class PlateTraces {
  private readonly plates = new Map<string, PlateRing>();

  constructor(private readonly options: PlateTraceOptions = DEFAULT_TRACE_OPTIONS) {}

  /** Records an accepted `plate.weight` batch. */
  add(plateId: string, batch: Batch): void {
    let ring = this.plates.get(plateId);
    if (!ring) {
      ring = new PlateRing();
      this.plates.set(plateId, ring);
    }
    ring.add({ ts: batch.ts, hz: batch.hz, grams: batch.grams }, this.options);
  }

  /** `[t, grams]` samples per requested plate within [t0, t1]; plates with nothing recorded get an empty list. */
  weightTrace(plateIds: readonly string[], t0: number, t1: number): Record<string, [number, number][]> {
    const out: Record<string, [number, number][]> = {};
    for (const id of plateIds) out[id] = this.plates.get(id)?.samples(t0, t1) ?? [];
    return out;
  }

  /** Batches held in all, for tests and metrics. */
  batchesHeld(): number {
    let n = 0;
    for (const ring of this.plates.values()) n += ring.size();
    return n;
  }
}
