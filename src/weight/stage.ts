/**
 * The weight stage the engine drives: plate batches in (event-time order), shelf events out.
 * Per plate a PlateTracker finds steps; per shelf a ShelfGrouper clusters them; decideCluster turns a settled
 * cluster into events with ranked item hypotheses. Pure and deterministic: no clock, no I/O.
 */
import type { DeviceMessage } from '../protocol/messages.ts';
import type { Store } from '../store/store.ts';
import { type WeightConfig, weightConfig } from './config.ts';
import { type DecideContext, decideCluster, looksComplete } from './decide.ts';
import { PlateTracker } from './plate-tracker.ts';
import { type Cluster, type PlateStreams, ShelfGrouper } from './shelf-grouper.ts';
import type { ShelfEvent } from './types.ts';

export interface WeightStageOptions {
  /** Units on a plate right now, per SKU (includes misplaced items the engine knows about). */
  stock: (plateId: string) => ReadonlyMap<string, number>;
  /** Thresholds a store would tune, documented in docs/weight.md. */
  config?: Partial<WeightConfig>;
}

export interface WeightStage {
  onBatch(msg: Extract<DeviceMessage, { kind: 'plate.weight' }>): void;
  /** Advance event time to t; returns shelf events decided by then (settled + decided), oldest first. */
  advance(t: number): ShelfEvent[];
  /** End of stream: decide everything still pending. */
  flush(): ShelfEvent[];
  /** Plates that have sent nothing for longer than the silence timeout at time t. */
  silentPlates(t: number): string[];
  /** Start of the oldest change not decided yet (one waiting for a silent neighbour, say), if any. */
  pendingSince(): number | undefined;
  /** Whether the plate is touched now, or a change on it is not decided yet. */
  settling(plateId: string): boolean;
}

export function createWeightStage(store: Store, options: WeightStageOptions): WeightStage {
  const cfg = weightConfig(options.config);
  const grouper = new ShelfGrouper(store, cfg);
  const trackers = new Map<string, PlateTracker>();
  /** First and latest event time seen: a plate that never reported counts as silent since the first. */
  let firstT = Number.NaN;
  let now = Number.NEGATIVE_INFINITY;
  const sink = grouper.add.bind(grouper);

  const lastSeen = (plateId: string): number => {
    const seen = trackers.get(plateId)?.lastSeen;
    return seen === undefined || Number.isNaN(seen) ? firstT : seen;
  };
  const ctx: DecideContext = {
    store,
    stock: options.stock,
    cfg,
    gapWithin(plateId, from, to) {
      const tracker = trackers.get(plateId);
      // A plate silent right now may be where the weight went.
      if (now - lastSeen(plateId) > cfg.silenceMs && lastSeen(plateId) <= to) return Number.POSITIVE_INFINITY;
      return tracker?.gapWithin(from, to) ?? 0;
    },
  };
  const streams: PlateStreams = {
    activeSince: (plateId) => trackers.get(plateId)?.activeSince,
    overdueSince(plateId, t) {
      const covered = trackers.get(plateId)?.coveredUntil ?? Number.NaN;
      const until = Number.isNaN(covered) ? firstT : covered;
      return t - until > cfg.heartbeatMs + cfg.lostGapMs ? until : undefined;
    },
  };
  // A cluster's steps never change (a join makes a new cluster), so whether it looks complete is asked once.
  const completeness = new WeakMap<Cluster, boolean>();
  const complete = (c: Cluster): boolean => {
    let known = completeness.get(c);
    if (known === undefined) {
      known = looksComplete(c.steps, ctx);
      completeness.set(c, known);
    }
    return known;
  };
  const decide = (clusters: ReturnType<ShelfGrouper['takeAll']>, t: number): ShelfEvent[] =>
    clusters
      .flatMap((c) => decideCluster(c.steps, t, ctx))
      .sort((a, b) => a.tStart - b.tStart || (a.id < b.id ? -1 : 1));

  return {
    onBatch(msg) {
      let tracker = trackers.get(msg.plateId);
      if (!tracker) {
        if (!store.plates.has(msg.plateId)) return;
        tracker = new PlateTracker(msg.plateId, cfg, sink);
        trackers.set(msg.plateId, tracker);
      }
      if (Number.isNaN(firstT)) firstT = msg.ts;
      now = Math.max(now, msg.ts);
      tracker.push(msg.ts, msg.hz, msg.grams);
    },
    advance(t) {
      now = Math.max(now, t);
      return decide(grouper.takeReady(t, streams, complete), t);
    },
    flush() {
      for (const tracker of trackers.values()) tracker.flush();
      return decide(grouper.takeAll(), now);
    },
    pendingSince: () => grouper.pendingSince(),
    settling: (plateId) => trackers.get(plateId)?.activeSince !== undefined || grouper.holds(plateId),
    silentPlates(t) {
      if (Number.isNaN(firstT)) return [];
      const out: string[] = [];
      for (const id of store.plates.keys()) if (t - lastSeen(id) > cfg.silenceMs) out.push(id);
      return out;
    },
  };
}
