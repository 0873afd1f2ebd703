/**
 * What the review console needs to remember beyond the engine's snapshot: the shelf event behind each case
 * (plates, times, grams), where every shopper and hand was around it, and the decisions staff made. Fed by the
 * engine's logged events and by track samples from snapshots; bounded in count and in event time.
 */
import type { LoggedEvent } from '../engine/events.ts';
import type { EngineSnapshot } from '../engine/types.ts';
import type { ReviewAlternative, ReviewCase } from '../review/types.ts';
import type { ShelfEvent } from '../weight/types.ts';

/** One shopper's position (and hands, projected to the floor) at one instant. */
export interface TrackSample {
  t: number;
  x: number;
  y: number;
  /** Wrists seen at this instant: [x, y, z] in store metres. */
  hands: [number, number, number][];
}

export interface TrackPath {
  trackId: string;
  sessionId: string | null;
  samples: TrackSample[];
}

/** A case's evidence that the live buffers forget (tracks after minutes, plate readings too): kept per open case. */
export interface CaseEvidence {
  traces: Record<string, [number, number][]>;
  scene: TrackPath[];
}

const points = (traces: CaseEvidence['traces']) => Object.values(traces).reduce((n, t) => n + t.length, 0);
const samples = (scene: TrackPath[]) => scene.reduce((n, p) => n + p.samples.length, 0);

export interface ResolvedCase {
  caseId: string;
  shelfEventId: string | null;
  opened: number | null;
  t: number;
  /** Event time from opening to decision, when the opening was seen. */
  tookMs: number | null;
  reviewer: string;
  choice: ReviewAlternative;
}

export interface CaseMemoryLimits {
  /** Shelf events and cases remembered (oldest forgotten first). */
  maxEvents: number;
  /** Track history kept, ms of event time behind the newest sample. */
  trackHistoryMs: number;
  maxResolved: number;
}

export const DEFAULT_CASE_MEMORY: CaseMemoryLimits = { maxEvents: 5000, trackHistoryMs: 120_000, maxResolved: 100 };

/** Insertion-ordered map that forgets its oldest entries beyond `max`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}

export class CaseMemory {
  private readonly shelfEvents = new Map<string, ShelfEvent>();
  private readonly openedCases = new Map<string, ReviewCase>();
  private readonly resolvedCases: ResolvedCase[] = [];
  private readonly tracks = new Map<string, TrackPath>();
  private readonly evidence = new Map<string, CaseEvidence>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly limits: CaseMemoryLimits = DEFAULT_CASE_MEMORY) {}

  /** Takes one logged engine event; `tracksNow` is asked for only when a shelf event needs its scene. */
  onEvent(event: LoggedEvent, tracksNow?: () => EngineSnapshot['tracks']): void {
    switch (event.type) {
      case 'shelf.event':
        remember(this.shelfEvents, event.data.id, event.data, this.limits.maxEvents);
        // The shoppers at the moment of decision are the minimum scene a reviewer needs.
        if (tracksNow) this.sampleTracks(tracksNow());
        break;
      case 'review.opened':
        remember(this.openedCases, event.data.caseId, event.data, this.limits.maxEvents);
        break;
      case 'review.resolved': {
        this.evidence.delete(event.data.caseId);
        const opened = this.openedCases.get(event.data.caseId);
        this.resolvedCases.unshift({
          caseId: event.data.caseId,
          shelfEventId: opened?.shelfEventId ?? null,
          opened: opened?.opened ?? null,
          t: event.data.t,
          tookMs: opened ? event.data.t - opened.opened : null,
          reviewer: event.data.reviewer,
          choice: event.data.choice,
        });
        this.resolvedCases.length = Math.min(this.resolvedCases.length, this.limits.maxResolved);
        break;
      }
      default:
        break;
    }
  }

  /** Records each track's latest point, once per point time. */
  sampleTracks(tracks: EngineSnapshot['tracks']): void {
    for (const { trackId, sessionId, point } of tracks) {
      let path = this.tracks.get(trackId);
      if (!path) {
        path = { trackId, sessionId, samples: [] };
        this.tracks.set(trackId, path);
      }
      path.sessionId = sessionId ?? path.sessionId;
      const last = path.samples.at(-1);
      if (last && last.t >= point.t) continue;
      const hands = [point.leftWrist, point.rightWrist].filter((w): w is [number, number, number] => w !== undefined);
      path.samples.push({ t: point.t, x: point.x, y: point.y, hands: hands.map((w) => [w[0], w[1], w[2]]) });
      this.newest = Math.max(this.newest, point.t);
    }
    this.forgetOld();
  }

  private forgetOld(): void {
    const cutoff = this.newest - this.limits.trackHistoryMs;
    for (const [trackId, path] of this.tracks) {
      const keepFrom = path.samples.findIndex((s) => s.t >= cutoff);
      if (keepFrom < 0) this.tracks.delete(trackId);
      else if (keepFrom > 0) path.samples.splice(0, keepFrom);
    }
  }

  shelfEvent(id: string): ShelfEvent | undefined {
    return this.shelfEvents.get(id);
  }

  /**
   * Where everyone was between t0 and t1. A track with no sample inside keeps its sample nearest the window, if
   * within `slackMs`: the decision comes a moment after the weight settles, and sampling is coarse.
   */
  scene(t0: number, t1: number, slackMs = 5_000): TrackPath[] {
    const out: TrackPath[] = [];
    for (const path of this.tracks.values()) {
      let samples = path.samples.filter((s) => s.t >= t0 && s.t <= t1);
      if (samples.length === 0) {
        const gap = (s: TrackSample) => (s.t < t0 ? t0 - s.t : s.t - t1);
        const nearest = path.samples.reduce<TrackSample | undefined>(
          (a, s) => (!a || gap(s) < gap(a) ? s : a),
          undefined,
        );
        // Someone seen only long before or after the window was not there.
        if (!nearest || gap(nearest) > slackMs) continue;
        samples = [nearest];
      }
      out.push({ trackId: path.trackId, sessionId: path.sessionId, samples });
    }
    return out;
  }

  /**
   * The fuller of what was kept for an open case and what the buffers give now, kept for the next look: a case
   * looked at first when the shopper leaves, minutes later, still shows who stood where and the weight trace.
   */
  keepEvidence(caseId: string, now: CaseEvidence): CaseEvidence {
    const kept = this.evidence.get(caseId);
    const fuller: CaseEvidence = kept
      ? {
          traces: points(now.traces) >= points(kept.traces) ? now.traces : kept.traces,
          scene: samples(now.scene) >= samples(kept.scene) ? now.scene : kept.scene,
        }
      : now;
    remember(this.evidence, caseId, fuller, this.limits.maxEvents);
    return fuller;
  }

  resolved(): readonly ResolvedCase[] {
    return this.resolvedCases;
  }
}
