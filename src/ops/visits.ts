/**
 * Visits for the ops dashboard: a projection of the engine's decisions per session — who came in, when, the cart
 * lines and the shelf events behind them, the review cases that touched it, the receipt — plus the path the
 * session's tracks walked when the caller samples them. Bounded: a day's visits are kept for the day's figures, the
 * details (path, timeline) of only the latest; the oldest settled visits are forgotten first.
 */
import type { CartLine } from '../cart/types.ts';
import type { Receipt } from '../checkout/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { ReviewCase } from '../review/types.ts';
import type { ShelfEvent } from '../weight/types.ts';

export interface VisitReview {
  caseId: string;
  shelfEventId: string;
  reason: string;
  opened: number;
  resolved: number | null;
  reviewer: string | null;
  /** What the reviewer decided for this visit (empty: nothing charged to it). */
  decision: { sessionId: string | null; items: { sku: string; qty: number }[] } | null;
}

export interface VisitRecord {
  sessionId: string;
  account: string;
  partySize: number;
  staff: boolean;
  gateId: string;
  opened: number;
  entered: number | null;
  exited: number | null;
  closed: { t: number; reason: 'exit' | 'timeout' } | null;
  trackIds: string[];
  lines: CartLine[];
  reviews: VisitReview[];
  receipt: Receipt | null;
  /** Floor positions `[t, x, y]` of the visit's tracks, when sampled. */
  path: [number, number, number][];
  /** One line per decision that concerns the visit, in order. */
  timeline: { t: number; type: EngineEvent['type']; text: string }[];
}

export interface VisitOptions {
  /** Visits kept for the day's figures; settled ones beyond this are dropped, oldest first. */
  keepVisits?: number;
  /** Visits whose path and timeline are kept; older settled ones keep what the day's figures read. */
  keepDetails?: number;
  /** Points kept per visit path. */
  keepPathPoints?: number;
  /** Shelf events kept for lookups from visits. */
  keepShelfEvents?: number;
}

/** Nothing more will happen to it: its receipt is final, or its party never came in. */
const settled = (v: VisitRecord): boolean => v.receipt !== null || v.closed?.reason === 'timeout';

export class VisitBook {
  private readonly visits = new Map<string, VisitRecord>();
  private readonly trackToSession = new Map<string, string>();
  private readonly shelfEvents = new Map<string, ShelfEvent>();
  private readonly cases = new Map<string, ReviewCase>();
  private readonly keepVisits: number;
  private readonly keepDetails: number;
  /** Settled visits that still carry their details, oldest first. */
  private readonly detailed: string[] = [];
  private readonly keepPath: number;
  private readonly keepShelf: number;

  constructor(options: VisitOptions = {}) {
    this.keepVisits = options.keepVisits ?? 20_000;
    this.keepDetails = options.keepDetails ?? 2_000;
    this.keepPath = options.keepPathPoints ?? 1_200;
    this.keepShelf = options.keepShelfEvents ?? 20_000;
  }

  apply(event: EngineEvent): void {
    switch (event.type) {
      case 'session.opened': {
        const s = event.data;
        this.visits.set(s.sessionId, {
          sessionId: s.sessionId,
          account: s.account,
          partySize: s.partySize,
          staff: s.staff,
          gateId: s.gateId,
          opened: s.opened,
          entered: null,
          exited: null,
          closed: null,
          trackIds: [],
          lines: [],
          reviews: [],
          receipt: null,
          path: [],
          timeline: [{ t: event.t, type: event.type, text: `scan at ${s.gateId}: party of ${s.partySize}` }],
        });
        this.trim();
        break;
      }
      case 'session.bound': {
        const v = this.visits.get(event.data.sessionId);
        this.trackToSession.set(event.data.trackId, event.data.sessionId);
        if (!v) break;
        v.trackIds.push(event.data.trackId);
        v.entered ??= event.t;
        v.timeline.push({ t: event.t, type: event.type, text: `entered (track ${event.data.trackId})` });
        break;
      }
      case 'gate.crossed': {
        const v = this.visitOfTrack(event.data.trackId);
        if (!v) break;
        if (event.data.direction === 'out') v.exited = event.t;
        v.timeline.push({ t: event.t, type: event.type, text: `crossed ${event.data.gateId} ${event.data.direction}` });
        break;
      }
      case 'shelf.event':
        this.shelfEvents.set(event.data.id, event.data);
        if (this.shelfEvents.size > this.keepShelf) {
          const first = this.shelfEvents.keys().next();
          if (!first.done) this.shelfEvents.delete(first.value);
        }
        break;
      case 'cart.line':
        this.onLine(event.data, event.t);
        break;
      case 'review.opened':
        this.onCase(event.data, event.t);
        break;
      case 'review.resolved':
        this.onResolved(event.data.caseId, event.data.reviewer, event.data.choice, event.t);
        break;
      case 'session.closed': {
        const v = this.visits.get(event.data.sessionId);
        if (!v) break;
        v.closed = { t: event.t, reason: event.data.reason };
        if (event.data.reason === 'exit') v.exited ??= event.t;
        v.timeline.push({ t: event.t, type: event.type, text: `session closed (${event.data.reason})` });
        if (settled(v)) this.detailed.push(v.sessionId);
        break;
      }
      case 'receipt.final': {
        const v = this.visits.get(event.data.visit);
        if (!v) break;
        v.receipt = event.data;
        v.timeline.push({ t: event.t, type: event.type, text: `receipt final: ${event.data.lines.length} lines` });
        this.detailed.push(v.sessionId);
        this.trim();
        break;
      }
      default:
        break;
    }
  }

  private onLine(line: CartLine, t: number): void {
    const v = this.visits.get(line.sessionId);
    if (!v) return;
    v.lines.push(line);
    const what = `${line.qty > 0 ? '+' : ''}${line.qty} × ${line.sku}`;
    const { reviewCaseId, handoffId, foundId, shelfEventId } = line.evidence;
    const why = reviewCaseId
      ? `review ${reviewCaseId}`
      : handoffId
        ? `handed over ${handoffId}`
        : foundId
          ? `found on the floor ${foundId}`
          : `shelf ${shelfEventId}`;
    v.timeline.push({ t, type: 'cart.line', text: `${what} (${why}, p=${line.confidence.toFixed(2)})` });
  }

  private onCase(c: ReviewCase, t: number): void {
    this.cases.set(c.caseId, c);
    const sessions = new Set([...c.blocking, ...c.alternatives.flatMap((a) => (a.sessionId ? [a.sessionId] : []))]);
    for (const id of sessions) {
      const v = this.visits.get(id);
      if (!v) continue;
      v.reviews.push({
        caseId: c.caseId,
        shelfEventId: c.shelfEventId,
        reason: c.reason,
        opened: c.opened,
        resolved: null,
        reviewer: null,
        decision: null,
      });
      v.timeline.push({ t, type: 'review.opened', text: `review ${c.caseId}: ${c.reason}` });
    }
  }

  private onResolved(
    caseId: string,
    reviewer: string,
    choice: { sessionId: string | null; items: { sku: string; qty: number }[] },
    t: number,
  ): void {
    for (const v of this.visits.values()) {
      const r = v.reviews.find((x) => x.caseId === caseId);
      if (!r) continue;
      r.resolved = t;
      r.reviewer = reviewer;
      r.decision = { sessionId: choice.sessionId, items: choice.items };
      v.timeline.push({ t, type: 'review.resolved', text: `review ${caseId} resolved by ${reviewer}` });
    }
  }

  /** Adds floor positions of tracks bound to visits, at most one per `minStepMs` per visit. */
  samplePath(
    tracks: readonly { trackId: string; sessionId: string | null; point: { t: number; x: number; y: number } }[],
    minStepMs = 500,
  ): void {
    for (const track of tracks) {
      const sessionId = track.sessionId ?? this.trackToSession.get(track.trackId);
      const v = sessionId ? this.visits.get(sessionId) : undefined;
      if (!v) continue;
      const last = v.path[v.path.length - 1];
      if (last && track.point.t - last[0] < minStepMs) continue;
      v.path.push([track.point.t, round2(track.point.x), round2(track.point.y)]);
      if (v.path.length > this.keepPath) v.path.splice(0, v.path.length - this.keepPath);
    }
  }

  private visitOfTrack(trackId: string): VisitRecord | undefined {
    const id = this.trackToSession.get(trackId);
    return id ? this.visits.get(id) : undefined;
  }

  private trim(): void {
    while (this.detailed.length > this.keepDetails) {
      const v = this.visits.get(this.detailed.shift()!);
      if (!v) continue;
      v.path = [];
      v.timeline = [];
    }
    if (this.visits.size <= this.keepVisits) return;
    for (const [id, v] of this.visits) {
      if (this.visits.size <= this.keepVisits) break;
      if (settled(v)) this.visits.delete(id);
    }
  }

  get(sessionId: string): VisitRecord | undefined {
    return this.visits.get(sessionId);
  }

  shelfEvent(id: string): ShelfEvent | undefined {
    return this.shelfEvents.get(id);
  }

  reviewCase(id: string): ReviewCase | undefined {
    return this.cases.get(id);
  }

  /** Visits newest first. */
  list(): VisitRecord[] {
    return [...this.visits.values()].sort((a, b) => b.opened - a.opened || b.sessionId.localeCompare(a.sessionId));
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
