/**
 * The review queue projection: `review.opened`, `review.resolved` and `session.closed` folded into the cases a
 * reviewer works through, ordered by what holds receipts back [R2], with resolution times recorded [R3].
 */
import { linesFromResolution, type PriceOf } from '../cart/ledger.ts';
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import { fail, ok, type Result, WalkoutError } from '../errors.ts';
import { type CaseState, caseEventFor, nextCaseState } from './case-state.ts';
import type { ReviewCase, ReviewResolution } from './types.ts';

export interface QueuedCase extends ReviewCase {
  state: CaseState;
  resolution: ReviewResolution | null;
  /** Event time of the resolution, and how long the case was open (ms). */
  resolvedAt: number | null;
  openMs: number | null;
}

export type QueueError = 'CASE_EXISTS' | 'NO_SUCH_CASE' | 'CASE_NOT_OPEN';

export class ReviewQueue {
  private readonly cases = new Map<string, QueuedCase>();
  /** Sessions that have left, with the time: their receipts are what the queue holds back. */
  private readonly exited = new Map<string, number>();
  /** Open cases per session they block: checkout asks on every clock step, so it must not scan every case. */
  private readonly openBySession = new Map<string, number>();

  /** Folds one engine event; other event types are ignored. */
  apply(event: EngineEvent): Result<void, QueueError> {
    switch (event.type) {
      case 'review.opened':
        return this.open(event.data);
      case 'review.resolved':
        return this.resolve(event.data);
      case 'session.closed':
        this.exited.set(event.data.sessionId, event.t);
        return ok(undefined);
      default:
        return ok(undefined);
    }
  }

  private open(review: ReviewCase): Result<void, QueueError> {
    if (this.cases.has(review.caseId)) return fail('CASE_EXISTS', `case ${review.caseId} opened twice`);
    this.cases.set(review.caseId, { ...review, state: 'open', resolution: null, resolvedAt: null, openMs: null });
    for (const s of new Set(review.blocking)) this.openBySession.set(s, (this.openBySession.get(s) ?? 0) + 1);
    return ok(undefined);
  }

  private resolve(resolution: ReviewResolution): Result<void, QueueError> {
    const c = this.cases.get(resolution.caseId);
    if (!c) return fail('NO_SUCH_CASE', `no review case ${resolution.caseId}`);
    const next = nextCaseState(c.state, caseEventFor(resolution.choice));
    if (!next.ok) return next;
    c.state = next.value;
    for (const s of new Set(c.blocking)) this.openBySession.set(s, (this.openBySession.get(s) ?? 1) - 1);
    c.resolution = resolution;
    c.resolvedAt = resolution.t;
    c.openMs = resolution.t - c.opened;
    return ok(undefined);
  }

  /** True when the case holds back the receipt of a party that already left. */
  private blocksExited(c: ReviewCase): boolean {
    return c.blocking.some((s) => this.exited.has(s));
  }

  /** Open cases, those blocking a party that left first, then oldest first [R2]. */
  openCases(): QueuedCase[] {
    return [...this.cases.values()]
      .filter((c) => c.state === 'open')
      .sort(
        (a, b) =>
          Number(this.blocksExited(b)) - Number(this.blocksExited(a)) ||
          a.opened - b.opened ||
          a.caseId.localeCompare(b.caseId),
      );
  }

  /** True while an open case holds this session's receipt [R4]. */
  holds(sessionId: string): boolean {
    return (this.openBySession.get(sessionId) ?? 0) > 0;
  }

  /** Open cases that hold this session's receipt [R4]. */
  blocking(sessionId: string): QueuedCase[] {
    const open = [...this.cases.values()].filter((c) => c.state === 'open' && c.blocking.includes(sessionId));
    return open.length > 1 ? this.openCases().filter((c) => c.blocking.includes(sessionId)) : open;
  }

  closedCases(): QueuedCase[] {
    return [...this.cases.values()].filter((c) => c.state !== 'open');
  }

  get(caseId: string): QueuedCase | undefined {
    return this.cases.get(caseId);
  }
}

/** Folds a whole log; a log the queue cannot fold (a case decided twice) is broken. */
export function projectReviewQueue(events: Iterable<EngineEvent>): ReviewQueue {
  const queue = new ReviewQueue();
  for (const event of events) {
    const r = queue.apply(event);
    if (!r.ok) throw new WalkoutError(r.code, r.reason, { type: event.type, t: event.t });
  }
  return queue;
}

/** The cart lines a resolution produces [R3]: the chosen alternative's items on the chosen session. */
export function linesForResolution(c: ReviewCase, resolution: ReviewResolution, priceOf: PriceOf): CartLine[] {
  if (resolution.caseId !== c.caseId) {
    throw new WalkoutError('CASE_MISMATCH', `resolution for ${resolution.caseId} applied to ${c.caseId}`);
  }
  return linesFromResolution(resolution, c.shelfEventId, priceOf);
}
