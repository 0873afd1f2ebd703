/**
 * The engine's public face: what the server, replay and the benchmark call. The engine is pure and event-time
 * driven: it takes device messages (from MQTT or a recording) and staff commands, and emits decisions to a sink.
 */
import type { CartLine } from '../cart/types.ts';
import type { FusionConfig } from '../fusion/config.ts';
import type { EntryAuthorizer, Session } from '../identity/types.ts';
import type { RejectCode } from '../protocol/validate.ts';
import type { ReviewAlternative, ReviewCase } from '../review/types.ts';
import type { Store } from '../store/store.ts';
import type { TrackPoint } from '../vision/types.ts';
import type { EngineSink } from './events.ts';
import type { FoundItem } from './found-items.ts';
import type { ReorderState } from './reorder.ts';

export type EnginePolicy = 'walkout' | 'baseline';

export interface EngineConfig {
  /** Hold messages this long (ms of event time) for late ones to slot in. */
  reorderWindowMs: number;
  /** Reject messages claiming a time further than this ahead of the store (unless the store was down: reorder.ts). */
  maxFutureMs: number;
  /** How long after a scan its party may cross the entry line. */
  bindWindowMs: number;
  /** Decisions at or above this confidence are committed; below go to review. */
  commitThreshold: number;
  /** Wait this long after the last exit before a receipt is final (in-flight shelf events land first). */
  receiptGraceMs: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = Object.freeze({
  reorderWindowMs: 300,
  maxFutureMs: 120_000,
  bindWindowMs: 20_000,
  commitThreshold: 0.9,
  receiptGraceMs: 3_000,
});

export interface EngineOptions {
  store: Store;
  authorizer: EntryAuthorizer;
  sink: EngineSink;
  /** `baseline`: weight events + nearest shopper, top hypothesis, no confidence, no review (for comparison). */
  policy?: EnginePolicy;
  config?: Partial<EngineConfig>;
  /** Fusion's model parameters (the benchmark's calibration knobs); defaults in src/fusion/config.ts. */
  fusion?: Partial<FusionConfig>;
}

export type IngestOutcome = { ok: true } | { ok: false; code: RejectCode; reason: string };

export interface EngineStats {
  accepted: number;
  rejected: Partial<Record<RejectCode, number>>;
  shelfEvents: number;
  reviewsOpen: number;
}

/** A read-only picture of the store now, for the live view. */
export interface EngineSnapshot {
  t: number;
  tracks: { trackId: string; sessionId: string | null; point: TrackPoint }[];
  /** Units per SKU on each plate, as the engine believes. */
  stock: Record<string, Record<string, number>>;
  sessions: Session[];
  carts: Record<string, { lines: CartLine[]; total: number }>;
  reviews: ReviewCase[];
  silentPlates: string[];
  offlineCameras: string[];
  /** Items found on the floor waiting for staff to say whose they were [F17]. */
  found: FoundItem[];
}

export interface Engine {
  /** Validates and takes one device message; a rejected one is counted and logged as `message.rejected`. */
  ingest(topic: string, payload: unknown): IngestOutcome;
  /** A staff decision on a review case; `t` is the event time it applies at (defaults to the engine's now). */
  resolveReview(
    caseId: string,
    choice: ReviewAlternative,
    reviewer: string,
    t?: number,
  ): { ok: true } | { ok: false; code: 'NO_SUCH_CASE' | 'ALREADY_RESOLVED' | 'BAD_CHOICE'; reason: string };
  /**
   * The edge's clock says event time `t` has been reached: release held messages older than the reorder window and
   * let the stages decide what is due, so a gate answers promptly even when the devices go quiet. Replays need no ticks.
   */
  tick(t: number): void;
  /** End of stream: process everything still held and decide what is pending. */
  finish(): void;
  /** Newest event time processed. */
  now(): number;
  stats(): EngineStats;
  snapshot(): EngineSnapshot;
  /**
   * When nothing is under way (nobody inside, nor gone within the found-item lookback; no review open, no find
   * waiting, nobody tracked): the seed to start over from, else null.
   */
  quiet(): EngineSeed | null;
  /**
   * Starts over from a seed, as a fresh engine that keeps the stock, the clock, the messages held for reordering and
   * the numbering: a journal epoch (docs/operations.md). Each plate's resting weight is learnt again from its next
   * readings, as at any start; stats carry on.
   */
  rebase(seed: EngineSeed): void;
}

/** What a quiet engine carries into a fresh start. */
export interface EngineSeed {
  /** Units per SKU on each plate. */
  stock: Record<string, Record<string, number>>;
  /** Decisions emitted so far, from the first start: the event-log position the next one takes. */
  decisions: number;
  /** The store's event time, and the reorder window's clock and held messages: devices carry on where they were. */
  now: number;
  reorder: ReorderState;
  /** The number the next track is named by, so track ids never repeat in the log. */
  nextTrack: number;
}
