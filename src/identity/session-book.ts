/**
 * Sessions at the gate: a scan opens a session that admits N people; the people who cross the entry line in the
 * window after the scan are bound to it; a person crossing with no scan waiting is an unbound shopper; a session
 * closes when everyone bound to it has crossed an exit. Without cameras, the gate's beam (`pass`) counts people.
 * With cameras, each beam pass takes the next admission (scan order) and the track crossing the line with it is
 * bound to that admission (gate-matcher.ts); a crossing no beam explains falls back to first come, first served.
 * An explicit state machine over event time; it emits what it decided and holds no clock.
 */

import type { EngineEvent } from '../engine/events.ts';
import { WalkoutError } from '../errors.ts';
import { sessionIdFor } from './demo-authorizer.ts';
import { type BeamPass, GateMatcher, type TrackCrossing } from './gate-matcher.ts';
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
  /** Cameras track people: bind tracks to beam passes; without, the beam alone counts people. */
  tracked?: boolean;
  /** Gates with a beam: with cameras, their crossings wait for a beam pass to pair with. */
  beamGates?: readonly string[];
  /** How far apart in time (ms) a beam pass and a track crossing may be and still be the same person. */
  beamMatchMs?: number;
}

export const DEFAULT_SESSION_CONFIG: SessionBookConfig = { bindWindowMs: 20_000 };
const DEFAULT_BEAM_MATCH_MS = 1_500;
/** A stray must outlive a pending gate pairing before it is adopted. */
const STRAY_ADOPT_MS = 3_000;

interface SessionRecord extends Session {
  /** People bound so far / people still inside. */
  entered: number;
  inside: number;
  /** Members inside that the beam counted but no track was bound to. */
  untracked: number;
  /** When its first member came in: a pass out before that cannot be one of them leaving. */
  firstIn: number | null;
  exitedAt: number | null;
}

export class SessionBook {
  private readonly sessions = new Map<string, SessionRecord>();
  /** Sessions still admitted or inside, in opening order: every per-step scan walks these, not the whole day. */
  private readonly open = new Set<SessionRecord>();
  /** Sessions out of the store whose receipt is not final yet: a shelf event from before they left is theirs too. */
  private readonly leaving = new Set<SessionRecord>();
  private readonly byTrack = new Map<string, string>();
  private readonly unbound = new Set<string>();
  private readonly matcher: GateMatcher;
  private readonly beamGates: ReadonlySet<string>;
  /** Live tracks that never crossed a gate (a shopper the cameras lost and found again), by when first reported. */
  private readonly strays = new Map<string, number>();
  /** The tracks alive at the last look (`adoptStrays`): a session with fewer than its people inside lost one. */
  private live: ReadonlySet<string> = new Set();

  constructor(
    private readonly authorizer: EntryAuthorizer,
    private readonly emit: (event: EngineEvent) => void,
    private readonly config: SessionBookConfig = DEFAULT_SESSION_CONFIG,
  ) {
    this.matcher = new GateMatcher(config.beamMatchMs ?? DEFAULT_BEAM_MATCH_MS);
    this.beamGates = new Set(config.tracked ? (config.beamGates ?? []) : []);
  }

  /** A code scanned at a gate: open a session and tell the gate to open, or deny with the reason. */
  scan(gateId: string, code: string, t: number): void {
    // A second scan at this gate in the same millisecond would get the first one's session id: the gate takes one
    // at a time, so it is turned away before its code is used, and the shopper scans again a moment later.
    if (this.sessions.has(sessionIdFor(gateId, t))) {
      this.emit({ type: 'gate.command', t, data: { gateId, action: 'deny', admit: 0, reason: 'GATE_BUSY' } });
      return;
    }
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
      untracked: 0,
      firstIn: null,
      exitedAt: null,
    };
    this.sessions.set(sessionId, session);
    this.open.add(session);
    this.emit({ type: 'session.opened', t, data: publicView(session) });
    this.emit({
      type: 'gate.command',
      t,
      data: { gateId, action: 'open', admit: verdict.partySize, reason: 'OK', sessionId },
    });
  }

  /** A tracked person crossed a gate line. */
  crossing(trackId: string, gateId: string, direction: 'in' | 'out', t: number): void {
    const crossing: TrackCrossing = { trackId, gateId, direction, t };
    const beamed = this.beamGates.has(gateId);
    if (direction === 'out') {
      const bound = this.byTrack.has(trackId);
      this.personOut(t, trackId);
      // An unbound track's exit leaves its beam pass to an untracked member still inside, if there is one.
      if (beamed && (bound || !this.someUntracked())) this.matcher.crossing(crossing);
      return;
    }
    if (!beamed) {
      this.personIn(gateId, t, trackId);
      return;
    }
    const pass = this.matcher.crossing(crossing);
    if (pass) this.bindToPass(trackId, pass);
  }

  /** A beam or turnstile count at a gate. */
  pass(gateId: string, direction: 'in' | 'out', t: number): void {
    if (!this.config.tracked) {
      if (direction === 'in') this.personIn(gateId, t, null);
      else this.personOut(t, null);
      return;
    }
    // The store said this gate has no beam: its crossings alone admit people, so a pass would admit them twice.
    if (!this.beamGates.has(gateId)) return;
    const session = direction === 'in' ? this.admit(gateId, t) : undefined;
    if (session) session.untracked += 1;
    const pass: BeamPass = { gateId, direction, t, sessionId: session?.sessionId ?? null };
    const crossing = this.matcher.beam(pass);
    if (crossing && direction === 'in') this.bindToPass(crossing.trackId, pass);
  }

  private bindToPass(trackId: string, pass: BeamPass): void {
    const session = pass.sessionId ? this.sessions.get(pass.sessionId) : undefined;
    if (!session) {
      this.markUnbound(trackId, pass.gateId, pass.t);
      return;
    }
    session.untracked -= 1;
    this.bind(session, trackId, pass.t);
  }

  private personIn(gateId: string, t: number, trackId: string | null): void {
    const session = this.admit(gateId, t);
    if (!session) {
      if (trackId) this.markUnbound(trackId, gateId, t);
      // Without cameras nobody can tell who they are, nor, later, who of those inside walks out: staff should know.
      else this.emit({ type: 'shopper.unbound', t, data: { trackId: null, gateId } });
      return;
    }
    if (trackId) this.bind(session, trackId, t);
  }

  /** The next admission waiting at this gate takes one more person inside. */
  private admit(gateId: string, t: number): SessionRecord | undefined {
    const session = this.waitingSession(gateId, t);
    if (!session) return undefined;
    if (session.state === 'admitted') this.transition(session, 'inside');
    session.firstIn ??= t;
    session.entered += 1;
    session.inside += 1;
    return session;
  }

  private bind(session: SessionRecord, trackId: string, t: number): void {
    session.trackIds.push(trackId);
    this.byTrack.set(trackId, session.sessionId);
    this.emit({ type: 'session.bound', t, data: { sessionId: session.sessionId, trackId } });
  }

  private markUnbound(trackId: string, gateId: string, t: number): void {
    this.unbound.add(trackId);
    this.emit({ type: 'shopper.unbound', t, data: { trackId, gateId } });
  }

  private personOut(t: number, trackId: string | null): void {
    const session = trackId ? this.sessionOfTrack(trackId) : this.oldestInside();
    if (session?.state !== 'inside') {
      if (trackId) this.unbound.delete(trackId);
      return;
    }
    this.leave(session, t);
  }

  private leave(session: SessionRecord, t: number): void {
    session.inside -= 1;
    if (session.inside > 0) return;
    session.exitedAt = t;
    this.transition(session, 'exited');
    this.emit({ type: 'session.closed', t, data: { sessionId: session.sessionId, reason: 'exit' } });
  }

  private someUntracked(): boolean {
    for (const s of this.open) if (s.state === 'inside' && s.untracked > 0) return true;
    return false;
  }

  /**
   * Settles beam passes and crossings that found no partner: a crossing with no beam binds first come, first
   * served; an exit pass nobody's track explains lets out an untracked member (oldest session first), or else the
   * member of the one session whose track the cameras lost: one never seen leaving must not keep a receipt open.
   */
  private settleUnpaired(t: number): void {
    const { beams, crossings } = this.matcher.expire(t);
    for (const c of crossings) {
      if (c.direction !== 'in') continue;
      // A late crossing (a track confirmed after its beam went by) belongs to a member the beam already let in.
      const late = this.oldestInside((s) => s.untracked > 0 && s.gateId === c.gateId && c.t >= s.opened);
      if (!late) this.personIn(c.gateId, c.t, c.trackId);
      else {
        late.untracked -= 1;
        this.bind(late, c.trackId, c.t);
      }
    }
    for (const b of beams) {
      if (b.direction !== 'out') continue;
      // Settled later than it happened: only a session someone had entered by then can have lost them through it.
      const inBefore = (s: SessionRecord) => s.firstIn !== null && s.firstIn < b.t;
      const untracked = this.oldestInside((s) => s.untracked > 0 && inBefore(s));
      if (untracked) untracked.untracked -= 1;
      // As with strays: only when one session has lost sight of a member; guessing among several could close a
      // shopper still inside.
      const lost = this.missingTrack(this.live).filter(inBefore);
      const session = untracked ?? (lost.length === 1 ? lost[0] : undefined);
      if (session) this.leave(session, b.t);
    }
  }

  /**
   * Gives a track that appeared inside without crossing a gate to the one session that has lost sight of a member
   * (fewer live tracks than people inside), once it has been seen for `strayAdoptMs`. With several such sessions it
   * stays unbound: guessing would put one shopper's picks on another's cart.
   */
  adoptStrays(liveTrackIds: readonly string[], t: number): void {
    const live = new Set(liveTrackIds);
    this.live = live;
    for (const id of this.strays.keys()) if (!live.has(id)) this.strays.delete(id);
    for (const id of liveTrackIds) {
      if (!this.byTrack.has(id) && !this.unbound.has(id) && !this.strays.has(id)) this.strays.set(id, t);
    }
    for (const [trackId, since] of this.strays) {
      if (t - since < STRAY_ADOPT_MS || this.byTrack.has(trackId) || this.unbound.has(trackId)) continue;
      // Someone seen before a session was even scanned is none of its members (whose crossing may still come).
      const missing = this.missingTrack(live).filter((s) => s.opened <= since);
      const [session] = missing;
      if (missing.length !== 1 || !session) continue;
      this.strays.delete(trackId);
      // A member the beam let in without a track is now tracked.
      if (session.untracked > 0) session.untracked -= 1;
      this.bind(session, trackId, t);
    }
  }

  /** Sessions inside with fewer live tracks than people inside: a member the cameras lost. */
  sessionsMissingTrack(liveTrackIds: readonly string[]): string[] {
    return this.missingTrack(new Set(liveTrackIds)).map((s) => s.sessionId);
  }

  private missingTrack(live: ReadonlySet<string>): SessionRecord[] {
    return [...this.open].filter(
      (s) => s.state === 'inside' && s.trackIds.filter((id) => live.has(id)).length < s.inside,
    );
  }

  /** Settles unpaired gate passings, then closes sessions whose party never came in within the bind window. */
  advance(t: number): void {
    this.settleUnpaired(t);
    for (const session of this.open) {
      if (session.state === 'admitted' && t - session.opened > this.config.bindWindowMs) {
        this.transition(session, 'closed');
        this.emit({ type: 'session.closed', t, data: { sessionId: session.sessionId, reason: 'timeout' } });
      }
    }
  }

  /** Marks an exited session done once its receipt is final (a staff visit's, which has none, after the grace). */
  markClosed(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (session?.state === 'exited') this.transition(session, 'closed');
  }

  private waitingSession(gateId: string, t: number): SessionRecord | undefined {
    let best: SessionRecord | undefined;
    for (const s of this.open) {
      if (s.gateId !== gateId || s.entered >= s.partySize) continue;
      if (t - s.opened > this.config.bindWindowMs || t < s.opened) continue;
      if (!best || s.opened < best.opened) best = s;
    }
    return best;
  }

  private oldestInside(where: (s: SessionRecord) => boolean = () => true): SessionRecord | undefined {
    let best: SessionRecord | undefined;
    for (const s of this.open) {
      if (s.state === 'inside' && where(s) && (!best || s.opened < best.opened)) best = s;
    }
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
    if (to === 'exited' || to === 'closed') this.open.delete(session);
    if (to === 'exited') this.leaving.add(session);
    if (to === 'closed') this.leaving.delete(session);
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
  /**
   * Inside at `t`: admitted by then (the scan comes before the walk in) and inside now, or gone since with the
   * receipt not final yet (a change decided after they left).
   */
  insideAt(t: number): Session[] {
    const now = [...this.open].filter((s) => s.state === 'inside' && s.opened <= t);
    const left = [...this.leaving].filter((s) => s.opened <= t && s.exitedAt !== null && s.exitedAt >= t);
    return [...now, ...left].map(publicView);
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
