/**
 * Gathers significant plate steps into clusters per shelf: steps on the same or neighbouring plates whose touches
 * are within `joinGapMs` of each other belong together (one item resting on 2–3 plates, a press then its release,
 * an item sliding to the next plate). A cluster is ready once the shelf around it has been quiet for `joinGapMs`,
 * or `quickJoinMs` after settling when it already looks complete and no neighbouring plate is in a touch.
 */
import type { Store } from '../store/store.ts';
import type { WeightConfig } from './config.ts';
import type { PlateStep } from './plate-tracker.ts';

export interface Cluster {
  shelfId: string;
  steps: PlateStep[];
  /** Lowest and highest plate index on the shelf. */
  lo: number;
  hi: number;
  tStart: number;
  tEnd: number;
}

/** What the grouper asks about each plate's stream at decision time. */
export interface PlateStreams {
  /** Start of the touch in progress, if any. */
  activeSince(plateId: string): number | undefined;
  /** End of what the plate's stream covers, when it is overdue at `t` (nothing covered for over a heartbeat). */
  overdueSince(plateId: string, t: number): number | undefined;
}

export class ShelfGrouper {
  private readonly pending = new Map<string, Cluster[]>();

  constructor(
    private readonly store: Store,
    private readonly cfg: WeightConfig,
  ) {}

  /** Takes a step; steps within noise of nothing are dropped here. */
  add(step: PlateStep): void {
    if (Math.abs(step.delta) < Math.max(this.cfg.minStepGrams, this.cfg.stepZ * step.sigma)) return;
    const info = this.store.plates.get(step.plateId);
    if (!info) return;
    const shelfId = info.shelf.id;
    const list = this.pending.get(shelfId) ?? [];
    const gap = this.cfg.joinGapMs;
    const joined: Cluster[] = [];
    const rest: Cluster[] = [];
    for (const c of list) {
      const near = info.index >= c.lo - 1 && info.index <= c.hi + 1;
      const close = step.tStart <= c.tEnd + gap && c.tStart <= step.tEnd + gap;
      (near && close ? joined : rest).push(c);
    }
    const merged: Cluster = {
      shelfId,
      steps: [step, ...joined.flatMap((c) => c.steps)],
      lo: Math.min(info.index, ...joined.map((c) => c.lo)),
      hi: Math.max(info.index, ...joined.map((c) => c.hi)),
      tStart: Math.min(step.tStart, ...joined.map((c) => c.tStart)),
      tEnd: Math.max(step.tEnd, ...joined.map((c) => c.tEnd)),
    };
    rest.push(merged);
    this.pending.set(shelfId, rest);
  }

  /**
   * Removes and returns the clusters that can be decided at `t`: quiet for joinGapMs, no plate next to them still in
   * a touch that began in time to join, and none that fell silent around their change (for a while).
   */
  takeReady(t: number, streams: PlateStreams, complete: (c: Cluster) => boolean = () => false): Cluster[] {
    const out: Cluster[] = [];
    for (const [shelfId, list] of this.pending) {
      const keep: Cluster[] = [];
      for (const c of list) (this.isReady(c, t, streams, complete) ? out : keep).push(c);
      if (keep.length === 0) this.pending.delete(shelfId);
      else this.pending.set(shelfId, keep);
    }
    return out.sort((a, b) => a.tStart - b.tStart);
  }

  /** Start of the oldest cluster still pending, if any: a shelf event that may yet come out from before then. */
  pendingSince(): number | undefined {
    let oldest: number | undefined;
    for (const list of this.pending.values()) {
      for (const c of list) if (oldest === undefined || c.tStart < oldest) oldest = c.tStart;
    }
    return oldest;
  }

  /** Whether a change on this plate waits here to be decided. */
  holds(plateId: string): boolean {
    for (const list of this.pending.values())
      for (const c of list) if (c.steps.some((s) => s.plateId === plateId)) return true;
    return false;
  }

  /** Everything pending (end of stream). */
  takeAll(): Cluster[] {
    const out = [...this.pending.values()].flat().sort((a, b) => a.tStart - b.tStart);
    this.pending.clear();
    return out;
  }

  private isReady(c: Cluster, t: number, streams: PlateStreams, complete: (c: Cluster) => boolean): boolean {
    const deadline = c.tEnd + this.cfg.joinGapMs;
    if (t < c.tEnd + this.cfg.quickJoinMs) return false;
    const quick = t < deadline;
    const waitSilent = t < c.tEnd + this.cfg.silentNeighbourWaitMs;
    const plates = this.shelfPlates(c);
    for (let i = Math.max(0, c.lo - 1); i <= Math.min(plates.length - 1, c.hi + 1); i++) {
      const since = streams.activeSince(plates[i]!);
      // Early, any touch next to the cluster may still join it; later only one that began in time to join.
      if (since !== undefined && (quick || since <= deadline)) return false;
      // A plate that fell silent around the change may hold part of it: wait for it, a while. One silent for longer
      // is a known fault (flagged, reported) that is not about to speak.
      const overdue = streams.overdueSince(plates[i]!, t);
      const fellSilent = overdue !== undefined && overdue < c.tEnd && overdue >= c.tStart - this.cfg.silenceMs;
      if (waitSilent && fellSilent) return false;
    }
    return !quick || complete(c);
  }

  private shelfPlates(c: Cluster): string[] {
    const info = this.store.plates.get(c.steps[0]!.plateId)!;
    return info.shelf.plates.map((p) => p.id);
  }
}
