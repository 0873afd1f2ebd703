/**
 * Exit to receipt: when a session's last member leaves, wait a short grace for shelf events still settling, and for
 * any change from before the exit the weight stage still holds, then make the receipt final as soon as no review
 * case holds it back, and record that moment.
 */
import { buildReceipt } from '../checkout/receipt.ts';
import type { SessionBook } from '../identity/session-book.ts';
import type { Store } from '../store/store.ts';
import type { EngineEvent } from './events.ts';
import type { ShelfDecisions } from './shelf-decisions.ts';

export class CheckoutFlow {
  /** Sessions that have left, with the earliest event time their receipt may become final. */
  private readonly due = new Map<string, number>();
  private sessions: SessionBook | null = null;
  private shelf: ShelfDecisions | null = null;

  constructor(
    private readonly store: Store,
    private readonly emit: (event: EngineEvent) => void,
    private readonly graceMs: number,
    /** Start of the oldest change the weight stage has not decided yet. */
    private readonly weightPendingSince: () => number | undefined = () => undefined,
  ) {}

  attach(sessions: SessionBook, shelf: ShelfDecisions): void {
    this.sessions = sessions;
    this.shelf = shelf;
  }

  sessionClosed(sessionId: string, reason: 'exit' | 'timeout', t: number): void {
    if (reason === 'exit') this.due.set(sessionId, t + this.graceMs);
  }

  advance(t: number): void {
    if (!this.sessions || !this.shelf) return;
    const pending = this.weightPendingSince();
    for (const [sessionId, due] of this.due) {
      if (t < due || this.shelf.blocks(sessionId)) continue;
      const exited = this.sessions.exitedAt(sessionId);
      if (pending !== undefined && exited !== null && pending <= exited) continue;
      const session = this.sessions.get(sessionId);
      this.due.delete(sessionId);
      if (!session) continue;
      if (session.staff) {
        this.sessions.markClosed(sessionId);
        continue;
      }
      const at = Math.max(due, t);
      const receipt = buildReceipt({
        store: this.store,
        session,
        lines: this.shelf.linesOf(sessionId),
        exited,
        status: 'final',
        finalAt: at,
      });
      this.emit({ type: 'receipt.final', t: at, data: receipt });
      this.sessions.markClosed(sessionId);
    }
  }
}
