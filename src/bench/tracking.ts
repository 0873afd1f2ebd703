/**
 * Tracking figures for the benchmark: the engine's tracks are sampled once a second of event time (from its
 * snapshot, outside the timed work), the simulator's true paths are read at the same ticks, and the vision
 * stage's metrics (src/vision/metrics.ts: IDF1, MOTA, HOTA, identity kept entry to exit) compare them. A track
 * point may lag its tick by the engine's reorder window (~0.3 s, well inside the 1 m match threshold).
 */
import type { GroundTruth, TruthPerson } from '../sim/truth.ts';
import { identityKept, type TrackSample, type TruthPath, trackingMetrics } from '../vision/metrics.ts';
import type { TrackingFigures } from './report.ts';

export const TRACK_SAMPLE_MS = 1000;

/** Samples ticks of event time: call `due(now)` after each message, `record(tick, tracks)` when it says so. */
export class TrackSampler {
  readonly samples: TrackSample[] = [];
  readonly ticks: number[] = [];
  private next = Number.NEGATIVE_INFINITY;

  constructor(private readonly periodMs = TRACK_SAMPLE_MS) {}

  /** The tick to sample now, or null while event time has not reached the next one. */
  due(now: number): number | null {
    if (!Number.isFinite(now) || now < this.next) return null;
    const tick = Math.floor(now / this.periodMs) * this.periodMs;
    this.next = tick + this.periodMs;
    return tick;
  }

  record(tick: number, tracks: readonly { trackId: string; point: { x: number; y: number } }[]): void {
    this.ticks.push(tick);
    for (const { trackId, point } of tracks) this.samples.push({ t: tick, trackId, x: point.x, y: point.y });
  }
}

/** Each person's true floor position at each tick their path covers (nearest sample within one sample period). */
export function truthAtTicks(people: readonly TruthPerson[], ticks: readonly number[], sampleHz: number): TruthPath[] {
  const slack = 1000 / Math.max(sampleHz, 1e-9);
  return people.map((p) => {
    const path: [number, number, number][] = [];
    let k = 0;
    for (const tick of ticks) {
      while (k + 1 < p.path.length && Math.abs(p.path[k + 1]![0] - tick) <= Math.abs(p.path[k]![0] - tick)) k += 1;
      const s = p.path[k];
      if (s && Math.abs(s[0] - tick) <= slack) path.push([tick, s[1], s[2]]);
    }
    return { personId: p.personId, path };
  });
}

/**
 * Each visit member's path from their own entry to their own exit (the visit's where the truth lacks them). A
 * person's true path also covers the walk up to the scanner and the queue outside, where no camera has to see them;
 * "identity kept from entry to exit" is judged on the time inside only (a short visit otherwise fails the 90 %
 * coverage on the seconds before the gate alone). A party member who left before the others is not judged on the
 * party's later seconds, when they are outside and the nearest track is someone else's. People of no visit
 * (tailgaters) are left out of that figure.
 */
export function insideVisits(truth: GroundTruth, paths: readonly TruthPath[]): TruthPath[] {
  const visits = new Map(truth.visits.map((v) => [v.visit, v]));
  const people = new Map(truth.people.map((p) => [p.personId, p]));
  return paths.flatMap((p) => {
    const person = people.get(p.personId);
    const v = person?.visit == null ? undefined : visits.get(person.visit);
    if (!v) return [];
    const from = person?.entered ?? v.entered;
    const to = person?.exited ?? v.exited;
    return [{ personId: p.personId, path: p.path.filter(([t]) => t >= from && t <= to) }];
  });
}

export function scoreTracking(truth: GroundTruth, sampler: TrackSampler): TrackingFigures {
  const paths = truthAtTicks(truth.people, sampler.ticks, truth.sampleHz);
  const m = trackingMetrics(paths, sampler.samples);
  const inside = identityKept(insideVisits(truth, paths), sampler.samples);
  const visitOf = new Map(truth.people.map((p) => [p.personId, p.visit]));
  const identityLost = inside.kept
    .filter((k) => !k.kept)
    .map(({ personId, trackId, coverage, switches }) => ({
      personId,
      visit: visitOf.get(personId) ?? '',
      trackId: trackId ?? null,
      coverage,
      switches,
    }));
  return { idf1: m.idf1, mota: m.mota, hota: m.hota, identityKeptRate: inside.keptRate, identityLost };
}
