/**
 * The one typed map of everything the engine decides. Each entry of the append-only event log is one of these;
 * carts, receipts, inventory and the review queue are projections of the log.
 */
import type { CartLine } from '../cart/types.ts';
import type { Receipt } from '../checkout/types.ts';
import type { Handoff } from '../fusion/handoff.ts';
import type { Session } from '../identity/types.ts';
import type { RejectCode } from '../protocol/validate.ts';
import type { ChargeShare, ReviewCase, ReviewResolution } from '../review/types.ts';
import type { GateCrossing } from '../vision/types.ts';
import type { ItemCount, ShelfEvent } from '../weight/types.ts';
import type { FoundItem } from './found-items.ts';

/**
 * A shelf event decided without review: who is charged (null: nobody, e.g. staff restocking), what moved, how sure and
 * why. Logged for every such decision, so one that charges nobody still says which items moved the plate stock.
 */
export interface ShelfDecided {
  shelfEventId: string;
  sessionId: string | null;
  items: ItemCount[];
  /** Other shoppers charged in the same decision (a merged take). */
  with?: ChargeShare[];
  confidence: number;
  reason: string;
}

export interface EngineEventMap {
  /** `ts`: the message's own stamp, for a staff message refused when applied (its sender waits for the answer). */
  'message.rejected': { topic: string; code: RejectCode; reason: string; ts?: number };
  'shelf.event': ShelfEvent;
  'shelf.decided': ShelfDecided;
  'gate.command': { gateId: string; action: 'open' | 'deny'; admit: number; reason: string; sessionId?: string };
  'session.opened': Session;
  'session.bound': { sessionId: string; trackId: string };
  /**
   * Someone came in through a gate with no admission waiting there: a tailgater (or a member the cameras saw cross
   * twice). `trackId` is null in a store without cameras, where only the gate's beam counted them.
   */
  'shopper.unbound': { trackId: string | null; gateId: string };
  'gate.crossed': GateCrossing;
  'cart.line': CartLine;
  handoff: Handoff;
  'item.found': FoundItem;
  /** Staff counted a plate: the named SKUs' units on it now (src/protocol/messages.ts, stock.count). */
  'stock.counted': { plateId: string; counts: Record<string, number>; staff: string; handheldId: string };
  'review.opened': ReviewCase;
  'review.resolved': ReviewResolution;
  'session.closed': { sessionId: string; reason: 'exit' | 'timeout' };
  'receipt.final': Receipt;
  'device.silent': { deviceId: string; since: number };
  'device.back': { deviceId: string };
}

export type EngineEventType = keyof EngineEventMap;

/** One decision: event time `t` (ms epoch, from the input stream, never the wall clock). */
export type EngineEvent = { [K in EngineEventType]: { type: K; t: number; data: EngineEventMap[K] } }[EngineEventType];

/** A logged decision with its position in the log. */
export type LoggedEvent = EngineEvent & { seq: number };

/** Where the engine sends decisions; the event log and live subscribers implement it. */
export type EngineSink = (event: EngineEvent) => void;
