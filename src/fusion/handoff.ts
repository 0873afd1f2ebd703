/**
 * Items handed from one shopper to another [F8]. The shelf cannot see a handoff; the cameras see two people's
 * hands meet in the aisle (vision/hand-meets.ts) but not what passed. The rule: the item is the giver's latest
 * pick, charged to whoever received it. The giver is the one of the two who picked something in the minute and a
 * half before (and still has it) when the other took nothing then (not even a pick still in review); when both
 * picked, the one whose pick came off a plate clearly nearer where the hands met (someone takes an item and passes
 * it on where they stand; the other came over from where they shopped). Anything less clear leaves the item with
 * the picker. Why guess at all: a pass between the two, left with the picker, is two wrong receipts for sure, and
 * sent the wrong way the same two (though then each is wrong by both items). See docs/SPEC.md [F8].
 * Pure.
 */
import type { Vec2 } from '../store/schema.ts';
import type { HandMeet } from '../vision/hand-meets.ts';
import type { FusionConfig } from './config.ts';

/** One person at the meeting, as the session book and the cart ledger know them. */
export interface HandoffSide {
  trackId: string;
  /** The open, non-staff session the track is bound to, or null. */
  sessionId: string | null;
  /**
   * The session's latest committed pick, if its cart still holds one: when its item left the shelf, and where on the
   * floor the hand went for it (the centre of the event's reach volumes).
   */
  lastPick?: { sku: string; t: number; at: Vec2 };
  /** When the latest shelf event still in review that may charge this session happened: it may be the item. */
  pendingPickT?: number;
}

export interface Handoff {
  handoffId: string;
  t: number;
  fromSessionId: string;
  toSessionId: string;
  fromTrackId: string;
  toTrackId: string;
  sku: string;
  qty: number;
  confidence: number;
}

export type HandoffOutcome =
  | { ok: true; handoff: Handoff }
  | { ok: false; code: 'NOT_TWO_SHOPPERS' | 'SAME_PARTY' | 'NO_RECENT_PICK' | 'BOTH_PICKED' };

export function decideHandoff(
  meet: HandMeet,
  sides: readonly [HandoffSide, HandoffSide],
  config: Pick<FusionConfig, 'handoffPickWindowMs' | 'handoffConfidence' | 'handoffNearerM'>,
): HandoffOutcome {
  const [a, b] = sides;
  if (a.sessionId === null || b.sessionId === null) return { ok: false, code: 'NOT_TWO_SHOPPERS' };
  if (a.sessionId === b.sessionId) return { ok: false, code: 'SAME_PARTY' };
  const within = (t: number | undefined) => t !== undefined && t <= meet.t && meet.t - t <= config.handoffPickWindowMs;
  const picked = (s: HandoffSide) => within(s.lastPick?.t);
  // A pick still in review may be what passed: with one on either side, which way the item went is not clear.
  const pending = (s: HandoffSide) => within(s.pendingPickT);
  if (!picked(a) && !picked(b)) return { ok: false, code: 'NO_RECENT_PICK' };
  const idle = (s: HandoffSide) => !picked(s) && !pending(s);
  const nearer = nearerPicker(meet, a, b, config.handoffNearerM);
  // An older pick of the other one's off a plate clearly nearer where the hands met (say, just before the window)
  // may be what passed: then the sole picker is no clearer a giver.
  const sole = picked(a) && idle(b) && nearer !== b ? a : picked(b) && idle(a) && nearer !== a ? b : undefined;
  const both = picked(a) && picked(b) && !pending(a) && !pending(b);
  const giver = sole ?? (both ? nearer : undefined);
  if (!giver?.lastPick) return { ok: false, code: 'BOTH_PICKED' };
  const receiver = giver === a ? b : a;
  const [from, to] = giver === a ? [a.sessionId, b.sessionId] : [b.sessionId, a.sessionId];
  const sku = giver.lastPick.sku;
  return {
    ok: true,
    handoff: {
      handoffId: `H-${meet.tStart}-${giver.trackId}-${receiver.trackId}`,
      t: meet.t,
      fromSessionId: from,
      toSessionId: to,
      fromTrackId: giver.trackId,
      toTrackId: receiver.trackId,
      sku,
      qty: 1,
      confidence: config.handoffConfidence,
    },
  };
}

/** Of two with a pick in their cart, the one whose pick came off a plate at least `nearerM` nearer where the hands met. */
function nearerPicker(meet: HandMeet, a: HandoffSide, b: HandoffSide, nearerM: number): HandoffSide | undefined {
  if (!a.lastPick || !b.lastPick) return undefined;
  const away = (pick: { at: Vec2 }) => Math.hypot(pick.at[0] - meet.at[0], pick.at[1] - meet.at[1]);
  const gap = away(a.lastPick) - away(b.lastPick);
  // Written so that a gap that is not a number (a place unknown) decides nothing.
  if (!(Math.abs(gap) >= nearerM)) return undefined;
  return gap < 0 ? a : b;
}
