/**
 * Replays a recording through the engine: every `{topic, payload}` line is ingested in file order as fast as the
 * engine takes it (or at recorded speed), every decision is appended to an event log, and the run is summed up:
 * counts, real-time factor, and each visit's receipt (final, or the state that held it back).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineEvent } from '../engine/events.ts';
import type { Engine, EngineConfig, EngineOptions, EnginePolicy } from '../engine/types.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import { readRecording } from '../protocol/recording.ts';
import type { RejectCode } from '../protocol/validate.ts';
import type { EventLog } from '../storage/event-log.ts';
import type { Store } from '../store/store.ts';
import { EventHub } from './event-hub.ts';
import { ReceiptCollector, type ReplayReceipt } from './replay-receipts.ts';

export interface ReplayOptions {
  recording: string;
  store: Store;
  log: EventLog;
  /** Wait between messages as long as the recording did. */
  realtime?: boolean;
  policy?: EnginePolicy;
  engineConfig?: Partial<EngineConfig>;
  createEngine?: (options: EngineOptions) => Engine;
  /** Wall clock in ms (defaults to performance.now), for the real-time factor. */
  wallNow?: () => number;
}

export interface ReplaySummary {
  messages: number;
  accepted: number;
  rejected: Partial<Record<RejectCode, number>>;
  shelfEvents: number;
  visits: number;
  reviews: number;
  eventsLogged: number;
  /** Store time covered (last minus first message time), seconds. */
  storeSeconds: number;
  wallSeconds: number;
  /** Store seconds per wall second: how many times faster than real time. */
  realTimeFactor: number | null;
  receipts: ReplayReceipt[];
}

function payloadTs(payload: unknown): number | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const ts = (payload as { ts?: unknown }).ts;
  return typeof ts === 'number' && Number.isFinite(ts) ? ts : null;
}

export async function replayRecording(options: ReplayOptions): Promise<ReplaySummary> {
  const wallNow = options.wallNow ?? (() => performance.now());
  const receipts = new ReceiptCollector(options.store);
  let visits = 0;
  let reviews = 0;
  const count = (event: EngineEvent) => {
    receipts.observe(event);
    if (event.type === 'session.opened') visits += 1;
    if (event.type === 'review.opened') reviews += 1;
  };
  let appendError: Error | null = null;
  const hub = new EventHub(options.log, {
    onDecision: count,
    onAppendError: (error) => {
      appendError ??= error;
    },
  });
  const createEngine = options.createEngine ?? (await import('../engine/engine.ts')).createEngine;
  const engine = createEngine({
    store: options.store,
    authorizer: createDemoAuthorizer(),
    sink: hub.sink,
    policy: options.policy,
    config: options.engineConfig,
  });

  const seqBefore = await options.log.lastSeq();
  const wallStart = wallNow();
  let messages = 0;
  let first: number | null = null;
  let last: number | null = null;
  for await (const { topic, payload } of readRecording(options.recording)) {
    const ts = payloadTs(payload);
    if (ts !== null) {
      first ??= ts;
      last = Math.max(last ?? ts, ts);
      if (options.realtime) {
        const due = wallStart + (ts - first);
        const wait = due - wallNow();
        if (wait > 1) await sleep(wait);
      }
    }
    messages += 1;
    engine.ingest(topic, payload);
  }
  engine.finish();
  await hub.flush();
  if (appendError) throw appendError;
  const wallSeconds = (wallNow() - wallStart) / 1000;
  const storeSeconds = first !== null && last !== null ? (last - first) / 1000 : 0;
  const stats = engine.stats();
  return {
    messages,
    accepted: stats.accepted,
    rejected: stats.rejected,
    shelfEvents: stats.shelfEvents,
    visits,
    reviews,
    eventsLogged: (await options.log.lastSeq()) - seqBefore,
    storeSeconds,
    wallSeconds,
    realTimeFactor: wallSeconds > 0 ? storeSeconds / wallSeconds : null,
    receipts: receipts.receipts(engine.snapshot()),
  };
}
