/**
 * Sessions at the gate: a scan opens a session that admits N people; the people who cross the entry line in the
 * window after the scan are bound to it; a person crossing with no scan waiting is an unbound shopper; a session
 * closes when everyone bound to it has crossed an exit. Without cameras, the gate's beam (`pass`) counts people.
 * An explicit state machine over event time; it emits what it decided and holds no clock.
 */

import type { EngineEvent } from '../engine/events.ts';
import { WalkoutError } from '../errors.ts';
import { sessionIdFor } from './demo-authorizer.ts';
import type { EntryAuthorizer, Session, SessionState } from './types.ts';

/** Allowed transitions of a session's state. */
export const SESSION_TRANSITIONS = {
  admitted: ['inside', 'closed'],
  inside: ['exited'],
  exited: ['closed'],
  closed: [],
} as const satisfies Record<SessionState, readonly SessionState[]>;

export interface SessionBookConfig {
  /** How long after a scan its party may cross the entry line, ms. */
  bindWindowMs: number;
}

export const DEFAULT_SESSION_CONFIG: SessionBookConfig = { bindWindowMs: 20_000 };

interface SessionRecord extends Session {
  /** People bound so far / people still inside. */
  entered: number;
  inside: number;
  exitedAt: number | null;
}

export class SessionBook {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly byTrack = new Map<string, string>();
  private readonly unbound = new Set<string>();

  constructor(
    private readonly authorizer: EntryAuthorizer,
    private readonly emit: (event: EngineEvent) => void,
    private readonly config: SessionBookConfig = DEFAULT_SESSION_CONFIG,
  ) {}

  /** A code scanned at a gate: open a session and tell the gate to open, or deny with the reason. */
  scan(gateId: string, code: string, t: number): void {
    const verdict = this.authorizer.authorize(code, t);
    if (!verdict.ok) {
      this.emit({ type: 'gate.command', t, data: { gateId, action: 'deny', admit: 0, reason: verdict.code } });
      return;
    }
    const sessionId = sessionIdFor(gateId, t);
    const session: SessionRecord = {
      sessionId,
      account: verdict.account,
      partySize: verdict.partySize,
      gateId,
      opened: t,
      state: 'admitted',
      trackIds: [],
      staff: verdict.staff,
      entered: 0,
      inside: 0,
      exitedAt: null,
    };
    this.sessions.set(sessionId, session);
    this.emit({ type: 'session.opened', t, data: publicView(session) });
    this.emit({
      type: 'gate.command',
      t,
      data: { gateId, action: 'open', admit: verdict.partySize, reason: 'OK', sessionId },
    });
  }

  /** A tracked person crossed a gate line. */
  crossing(trackId: string, gateId: string, direction: 'in' | 'out', t: number): void {
    if (direction === 'in') this.personIn(gateId, t, trackId);
    else this.personOut(t, trackId);
  }

  /** A beam or turnstile count at a gate, used when no cameras track people. */
  pass(gateId: string, direction: 'in' | 'out', t: number): void {
    if (direction === 'in') this.personIn(gateId, t, null);
    else this.personOut(t, null);
  }

  private personIn(gateId: string, t: number, trackId: string | null): void {
    const session = this.waitingSession(gateId, t);
    if (!session) {
      if (trackId) {
        this.unbound.add(trackId);
        this.emit({ type: 'shopper.unbound', t, data: { trackId, gateId } });
      }
      return;
    }
    if (session.state === 'admitted') this.transition(session, 'inside');
    session.entered += 1;
    session.inside += 1;
    if (trackId) {
      session.trackIds.push(trackId);
      this.byTrack.set(trackId, session.sessionId);
      this.emit({ type: 'session.bound', t, data: { sessionId: session.sessionId, trackId } });
    }
  }

  private personOut(t: number, trackId: string | null): void {
    const session = trackId ? this.sessionOfTrack(trackId) : this.oldestInside();
    if (session?.state !== 'inside') {
      if (trackId) this.unbound.delete(trackId);
      return;
    }
    session.inside -= 1;
    if (session.inside > 0) return;
    session.exitedAt = t;
    this.transition(session, 'exited');
    this.emit({ type: 'session.closed', t, data: { sessionId: session.sessionId, reason: 'exit' } });
  }

  /** Closes sessions whose party never came in within the bind window. */
  advance(t: number): void {
    for (const session of this.sessions.values()) {
      if (session.state === 'admitted' && t - session.opened > this.config.bindWindowMs) {
        this.transition(session, 'closed');
        this.emit({ type: 'session.closed', t, data: { sessionId: session.sessionId, reason: 'timeout' } });
      }
    }
  }

  /** Marks an exited session done once its receipt is final. */
  markClosed(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (session?.state === 'exited') this.transition(session, 'closed');
  }

  private waitingSession(gateId: string, t: number): SessionRecord | undefined {
    let best: SessionRecord | undefined;
    for (const s of this.sessions.values()) {
      const open = s.state === 'admitted' || s.state === 'inside';
      if (!open || s.gateId !== gateId || s.entered >= s.partySize) continue;
      if (t - s.opened > this.config.bindWindowMs || t < s.opened) continue;
      if (!best || s.opened < best.opened) best = s;
    }
    return best;
  }

  private oldestInside(): SessionRecord | undefined {
    let best: SessionRecord | undefined;
    for (const s of this.sessions.values()) if (s.state === 'inside' && (!best || s.opened < best.opened)) best = s;
    return best;
  }

  private transition(session: SessionRecord, to: SessionState): void {
    const allowed: readonly SessionState[] = SESSION_TRANSITIONS[session.state];
    if (!allowed.includes(to)) {
      throw new WalkoutError(
        'SESSION_TRANSITION',
        `session ${session.sessionId}: ${session.state} → ${to} not allowed`,
      );
    }
    session.state = to;
  }

  sessionOfTrack(trackId: string): SessionRecord | undefined {
    const id = this.byTrack.get(trackId);
    return id ? this.sessions.get(id) : undefined;
  }

  isUnbound(trackId: string): boolean {
    return this.unbound.has(trackId);
  }

  get(sessionId: string): Session | undefined {
    const s = this.sessions.get(sessionId);
    return s ? publicView(s) : undefined;
  }

  /** Sessions with people inside (state `inside`). */
  inside(): Session[] {
    return [...this.sessions.values()].filter((s) => s.state === 'inside').map(publicView);
  }

  /** When the session's last member crossed out, or null. */
  exitedAt(sessionId: string): number | null {
    return this.sessions.get(sessionId)?.exitedAt ?? null;
  }

  all(): Session[] {
    return [...this.sessions.values()].map(publicView);
  }
}

function publicView(s: SessionRecord): Session {
  return {
    sessionId: s.sessionId,
    account: s.account,
    partySize: s.partySize,
    gateId: s.gateId,
    opened: s.opened,
    state: s.state,
    trackIds: [...s.trackIds],
    staff: s.staff,
  };
}
