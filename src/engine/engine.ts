/**
 * The engine spine: validated device messages in event-time order → weight and vision stages → sessions at the
 * gates → shelf decisions (fusion) → cart lines, review cases and final receipts, all emitted to one sink.
 * Pure and deterministic: the same input stream yields the same decisions; no clock, network or database here.
 */

import { fusionConfig } from '../fusion/config.ts';
import { FOUND_DEFAULTS } from '../fusion/found.ts';
import { SessionBook } from '../identity/session-book.ts';
import { isStaffMessage, type SensorMessage, type StaffMessage } from '../protocol/messages.ts';
import { type RejectCode, validateMessage } from '../protocol/validate.ts';
import { HandMeetDetector } from '../vision/hand-meets.ts';
import { createVisionStage } from '../vision/stage.ts';
import { createWeightStage } from '../weight/stage.ts';
import { CheckoutFlow } from './checkout-flow.ts';
import type { EngineEvent, EngineSink } from './events.ts';
import { FoundItems } from './found-items.ts';
import { PlateStock } from './plate-stock.ts';
import { ReorderBuffer } from './reorder.ts';
import { ShelfDecisions } from './shelf-decisions.ts';
import {
  DEFAULT_ENGINE_CONFIG,
  type Engine,
  type EngineOptions,
  type EngineSeed,
  type EngineStats,
  type IngestOutcome,
} from './types.ts';

/** Stages are advanced at most this often (ms of event time) so per-message cost stays flat. */
const ADVANCE_STEP_MS = 50;
/** How often (ms of event time) tracks the cameras found again are offered to sessions that lost one. */
const ADOPT_STEP_MS = 1_000;

export function createEngine(options: EngineOptions): Engine {
  const stats: EngineStats = { accepted: 0, rejected: {}, shelfEvents: 0, reviewsOpen: 0 };
  let decided = 0;
  let lastSessionT = Number.NEGATIVE_INFINITY;
  const sink: EngineSink = (event) => {
    decided += 1;
    if (event.type === 'session.opened' || event.type === 'session.closed') lastSessionT = event.t;
    options.sink(event);
  };
  let core = engineCore({ ...options, sink }, stats);
  return {
    ingest: (topic, payload) => core.ingest(topic, payload),
    resolveReview: (caseId, choice, reviewer, t) => core.resolveReview(caseId, choice, reviewer, t),
    tick: (t) => core.tick(t),
    finish: () => core.finish(),
    now: () => core.now(),
    stats: () => core.stats(),
    snapshot: () => core.snapshot(),
    quiet() {
      // A find reported later may still be a recent shopper's drop: their trail and cart must still be here.
      const settled = core.now() - lastSessionT >= FOUND_DEFAULTS.lookbackMs;
      return settled && core.idle() ? { ...core.carried(), decisions: decided } : null;
    },
    rebase(seed) {
      core = engineCore({ ...options, sink }, stats, seed);
      decided = seed.decisions;
      lastSessionT = Number.NEGATIVE_INFINITY;
    },
  };
}

/** One run of the engine's stages from a fresh start, or from a journal epoch's seed; createEngine can start it over. */
function engineCore(
  options: EngineOptions,
  stats: EngineStats,
  seed?: EngineSeed,
): Omit<Engine, 'quiet' | 'rebase'> & { idle(): boolean; carried(): Omit<EngineSeed, 'decisions'> } {
  const config = Object.freeze({ ...DEFAULT_ENGINE_CONFIG, ...options.config });
  const { store } = options;
  let now = seed?.now ?? Number.NEGATIVE_INFINITY;
  let lastAdvance = Number.NEGATIVE_INFINITY;
  let lastAdopt = Number.NEGATIVE_INFINITY;

  const emit = (event: EngineEvent): void => {
    if (event.type === 'shelf.event') stats.shelfEvents += 1;
    options.sink(event);
  };
  const reorder = new ReorderBuffer(
    { windowMs: config.reorderWindowMs, maxFutureMs: config.maxFutureMs },
    seed?.reorder,
  );
  const stock = new PlateStock(store, seed?.stock);
  const weight = createWeightStage(store, { stock: (plateId) => stock.of(plateId) });
  // Single-shopper stores (kiosks, micro-markets) need no tracking: the gate beam says who is inside.
  const tracked = store.def.mode === 'multi-shopper' && store.def.cameras.length > 0;
  const vision = tracked ? createVisionStage(store, {}, seed?.nextTrack) : null;
  // Hands meeting in the aisle move a handed item between carts; the plain baseline leaves it with the picker.
  const meets =
    vision && options.policy !== 'baseline'
      ? new HandMeetDetector([...store.plates.values()].map((p) => p.reachBox))
      : null;
  const checkout = new CheckoutFlow(store, emit, config.receiptGraceMs, () => weight.pendingSince());
  // Sessions and shelf decisions observe each other; the late binding keeps construction order simple.
  let shelf: ShelfDecisions | null = null;
  const sessions = new SessionBook(
    options.authorizer,
    (event) => {
      emit(event);
      shelf?.observe(event);
      if (event.type === 'session.closed') checkout.sessionClosed(event.data.sessionId, event.data.reason, event.t);
    },
    {
      bindWindowMs: config.bindWindowMs,
      tracked: vision !== null,
      beamGates: store.def.gates.filter((g) => g.beam !== false).map((g) => g.id),
    },
  );
  const decisions = new ShelfDecisions({
    store,
    vision,
    sessions,
    stock,
    emit,
    policy: options.policy ?? 'walkout',
    fusion: fusionConfig({ ...options.fusion, commitThreshold: config.commitThreshold }),
  });
  shelf = decisions;
  checkout.attach(sessions, decisions);
  const found = new FoundItems({
    store,
    sessions,
    shelf: decisions,
    emit,
    tracked: vision !== null,
    threshold: config.commitThreshold,
    config: FOUND_DEFAULTS,
  });

  const reject = (topic: string, code: RejectCode, reason: string, ts?: number): IngestOutcome => {
    stats.rejected[code] = (stats.rejected[code] ?? 0) + 1;
    const data = ts === undefined ? { topic, code, reason } : { topic, code, reason, ts };
    emit({ type: 'message.rejected', t: Number.isFinite(now) ? now : 0, data });
    return { ok: false, code, reason };
  };

  const advance = (t: number, force = false): void => {
    if (!force && t - lastAdvance < ADVANCE_STEP_MS) return;
    lastAdvance = t;
    for (const crossing of vision?.advance(t) ?? []) {
      emit({ type: 'gate.crossed', t: crossing.t, data: crossing });
      sessions.crossing(crossing.trackId, crossing.gateId, crossing.direction, crossing.t);
    }
    const adopting = vision !== null && t - lastAdopt >= ADOPT_STEP_MS;
    const sampling = meets?.due(t) ?? false;
    // Tracks are gathered once per step, and only on the steps that look at them.
    const active = vision && (adopting || sampling) ? vision.activeTracks(t) : [];
    if (vision && adopting) {
      lastAdopt = t;
      found.observe(active, t);
      // Someone waiting outside the entry (a tailgater behind a shopper the cameras missed) is no lost member.
      const outside = vision.outsideTracks();
      sessions.adoptStrays(
        active.flatMap((a) => (outside.has(a.trackId) ? [] : [a.trackId])),
        t,
      );
    }
    for (const event of weight.advance(t)) decisions.onShelfEvent(event);
    if (meets && sampling) for (const meet of meets.observe(t, active)) decisions.onHandMeet(meet);
    decisions.advance(t);
    sessions.advance(t);
    checkout.advance(t);
  };

  const process = (m: SensorMessage): void => {
    now = Math.max(now, m.ts);
    switch (m.kind) {
      case 'plate.weight':
        weight.onBatch(m);
        break;
      case 'camera.people':
        vision?.onFrame(m);
        break;
      case 'gate.scan':
        advance(m.ts, true);
        sessions.scan(m.gateId, m.code, m.ts);
        break;
      case 'gate.pass':
        sessions.pass(m.gateId, m.direction, m.ts);
        break;
    }
    advance(now);
  };

  /**
   * Staff messages are applied on arrival at the engine's event time, not held for reordering: a find reported a
   * second late is no stale reading (a sensor's would be `TOO_LATE`), and its exact time matters to nothing.
   */
  const fromStaff = (topic: string, m: StaffMessage): IngestOutcome => {
    // Before any device spoke there is no event time yet, and nothing to advance: the handheld's stamp stands in.
    const t = Number.isFinite(now) ? now : m.ts;
    if (Number.isFinite(now)) advance(now, true);
    if (m.kind === 'stock.count') {
      // A silent plate's last touch is stale (its controller died mid-touch): a count is what staff do then.
      if (weight.settling(m.plateId) && !weight.silentPlates(t).includes(m.plateId))
        return reject(
          topic,
          'PLATE_BUSY',
          `plate ${m.plateId} is still settling a change: count it once it is still`,
          m.ts,
        );
      decisions.decideWaitingOn(m.plateId, t);
      stock.count(m.plateId, m.counts);
      emit({
        type: 'stock.counted',
        t,
        data: { plateId: m.plateId, counts: m.counts, staff: m.staff, handheldId: m.handheldId },
      });
    } else {
      const outcome = m.kind === 'item.found' ? found.onFound(m, t) : found.onAssign(m, t);
      if (!outcome.ok) return reject(topic, outcome.code, outcome.reason, m.ts);
    }
    stats.accepted += 1;
    return { ok: true };
  };

  return {
    ingest(topic, payload) {
      const message = validateMessage(store, topic, payload);
      if (!message.ok) return reject(topic, message.code, message.reason);
      if (isStaffMessage(message.value)) return fromStaff(topic, message.value);
      const offered = reorder.offer(message.value);
      if (!offered.ok) return reject(topic, offered.code, offered.reason);
      stats.accepted += 1;
      for (const m of reorder.drain()) process(m);
      return { ok: true };
    },
    resolveReview(caseId, choice, reviewer, t) {
      const at = t ?? now;
      const outcome = decisions.resolve(caseId, choice, reviewer, at);
      // A resolution may free a receipt that waited on it.
      if (outcome.ok) checkout.advance(Math.max(at, now));
      return outcome;
    },
    tick(t) {
      for (const m of reorder.drainUntil(t)) process(m);
      // Time alone decides held weight changes, closes bind windows and finalises receipts while no device speaks.
      const quiet = t - config.reorderWindowMs;
      if (quiet > now) {
        for (const event of weight.advance(quiet)) decisions.onShelfEvent(event);
        decisions.advance(quiet);
        sessions.advance(quiet);
        checkout.advance(quiet);
      }
    },
    finish() {
      for (const m of reorder.drainAll()) process(m);
      for (const crossing of vision?.flush() ?? []) {
        emit({ type: 'gate.crossed', t: crossing.t, data: crossing });
        sessions.crossing(crossing.trackId, crossing.gateId, crossing.direction, crossing.t);
      }
      for (const event of weight.flush()) decisions.onShelfEvent(event);
      decisions.flush();
      const end = now + config.receiptGraceMs;
      sessions.advance(end);
      checkout.advance(end);
    },
    now: () => now,
    carried: () => ({
      stock: stock.toJSON(),
      now,
      reorder: reorder.state(),
      nextTrack: vision?.nextTrackNumber() ?? 1,
    }),
    idle: () =>
      sessions.all().every((s) => s.state === 'closed') &&
      decisions.openCases().length === 0 &&
      !decisions.racesWaiting() &&
      found.waiting().length === 0 &&
      (vision?.activeTracks(now).length ?? 0) === 0,
    stats: () => ({ ...stats, rejected: { ...stats.rejected }, reviewsOpen: decisions.openCases().length }),
    snapshot() {
      return {
        t: now,
        tracks: (vision?.activeTracks(now) ?? []).map(({ trackId, point }) => ({
          trackId,
          sessionId: sessions.sessionOfTrack(trackId)?.sessionId ?? null,
          point,
        })),
        stock: decisions.loggedStock(),
        sessions: sessions.all().filter((s) => s.state !== 'closed'),
        carts: decisions.carts(),
        reviews: decisions.openCases(),
        silentPlates: weight.silentPlates(now),
        offlineCameras: vision?.offlineCameras(now) ?? [],
        found: found.waiting(),
      };
    },
  };
}
