/**
 * Write-ahead for the engine. Every call into the engine (a device message, a clock tick, a staff review decision)
 * is queued, appended to the input journal as one transaction per batch, and only once that batch is durable is
 * it applied to the engine, in journal order, and acknowledged (for a QoS 1 device message, the broker's PUBACK
 * waits for it). So nothing is ever decided that a restart could not decide again by replaying the journal.
 *
 * Batching is group commit: the first call of a batch waits one turn of the event loop (setImmediate) so the rest
 * of a socket read joins it; while a commit runs, new calls queue for the next one. Under load batches grow on their
 * own; when quiet a call waits for one commit.
 *
 * The server also owns the edge clock here: when devices go quiet it journals a tick, so messages held in the
 * engine's reorder window are released (a gate is answered) without waiting for the next message.
 */
import type { Engine, EngineSeed, IngestOutcome } from '../engine/types.ts';
import { WalkoutError } from '../errors.ts';
import { isStaffKind } from '../protocol/messages.ts';
import { parseTopic } from '../protocol/topics.ts';
import type { ReviewAlternative } from '../review/types.ts';
import type { InputJournal, JournalCall } from '../storage/input-journal.ts';

/**
 * Turns payload bytes into what the engine takes, identically live and in replay: a parsed JSON object, or the
 * bytes. Bytes that are not JSON stay bytes (validation rejects them as BAD_JSON with the parser's reason), and so do
 * those holding a JSON string: the engine reads a string as JSON text, and would parse it a second time.
 */
export function decodePayload(payload: Uint8Array): unknown {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'),
    );
    return typeof parsed === 'string' ? payload : parsed;
  } catch {
    return payload;
  }
}

export type ResolveOutcome = ReturnType<Engine['resolveReview']>;

export interface AppliedCall {
  call: JournalCall;
  /** The decoded payload, for ingest calls. */
  body?: unknown;
  outcome?: IngestOutcome;
  resolved?: ResolveOutcome;
  /** The engine threw (a bug); the same throw happens again on replay. */
  error?: Error;
}

/** Applies one journalled call to an engine; never throws (an engine error is returned). Shared with replay. */
export function applyCall(engine: Engine, call: JournalCall): AppliedCall {
  try {
    switch (call.kind) {
      case 'ingest': {
        const body = decodePayload(call.payload);
        return { call, body, outcome: engine.ingest(call.topic, body) };
      }
      case 'tick':
        engine.tick(call.t);
        return { call };
      case 'resolve':
        return { call, resolved: engine.resolveReview(call.caseId, call.choice, call.reviewer, call.t) };
      case 'epoch':
        engine.rebase(call.seed);
        return { call };
    }
  } catch (error) {
    return { call, error: error as Error };
  }
}

export interface EngineJournalHooks {
  /** After a call was applied live (never during replay), with the wall time it was received. */
  onApplied?: (applied: AppliedCall, receivedAt: number, appliedAt: number) => void;
  /** A batch could not be journalled: it is not applied, and its QoS 1 senders get no ack (they send again). */
  onJournalError?: (error: Error, calls: number) => void;
  /** A batch was committed: its size and how long the commit took, ms. */
  onCommit?: (calls: number, ms: number) => void;
  /** A journal epoch was applied (the engine started over from its seed): the rows before `seq` can go. */
  onEpoch?: (seq: number, seed: EngineSeed) => void;
  /**
   * A hook above threw: the call was applied and journalled all the same, and the journal keeps going. Without this
   * hook the error is thrown again outside the journal's loop, as an uncaught exception.
   */
  onHookError?: (error: Error, call: JournalCall) => void;
}

export interface EngineJournalOptions {
  /** Wall clock, ms. */
  wallNow?: () => number;
  /** Tick once devices have been quiet this long (wall ms); the engine's reorder window is the natural value. */
  tickQuietMs?: number;
  /** Start a journal epoch when the engine is quiet and the last one began at least this long ago (event ms). */
  epochEveryMs?: number;
  /** Event time of the last epoch (the journal's first row after a prune); by default the first event time seen. */
  lastEpochT?: number;
}

type Pending = { call: JournalCall; receivedAt: number; done?: (error?: Error) => void };

export class EngineJournal {
  private pending: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Calls submitted, calls done (applied, or refused with their batch), and who waits for a count of done. */
  private submitted = 0;
  private finished = 0;
  private readonly waiters: { upTo: number; wake: () => void }[] = [];
  private readonly resolving = new Set<string>();
  private readonly wallNow: () => number;
  private readonly tickQuietMs: number;
  /** Newest device time the engine accepted, and when (wall) the last message was applied. */
  private newestTs = Number.NEGATIVE_INFINITY;
  private lastInputWall = 0;
  private quietTickDue = false;
  private readonly epochEveryMs: number;
  /** Event time of the last epoch, or of the first event after the start: the first epoch comes a period later. */
  private lastEpochT: number;

  constructor(
    private readonly engine: Engine,
    private readonly journal: InputJournal,
    private readonly hooks: EngineJournalHooks = {},
    options: EngineJournalOptions = {},
  ) {
    this.wallNow = options.wallNow ?? Date.now;
    this.tickQuietMs = options.tickQuietMs ?? 300;
    this.epochEveryMs = options.epochEveryMs ?? Number.POSITIVE_INFINITY;
    this.lastEpochT = options.lastEpochT ?? engine.now();
  }

  /** A device message; `done` is called once it is journalled and applied (or with the error if it was not). */
  message(topic: string, payload: Uint8Array, done?: (error?: Error) => void): void {
    this.submit({ kind: 'ingest', topic, payload }, done);
  }

  tick(t: number): void {
    this.submit({ kind: 'tick', t: Math.floor(t) });
  }

  /**
   * Journals a tick when messages came in and then devices went quiet for tickQuietMs; call it from a timer.
   * The tick's event time is the newest device time plus the wall time since, so it follows the devices' clock.
   */
  maybeTick(): void {
    if (!this.quietTickDue || !Number.isFinite(this.newestTs)) return;
    const quiet = this.wallNow() - this.lastInputWall;
    if (quiet < this.tickQuietMs) return;
    this.quietTickDue = false;
    this.tick(this.newestTs + quiet);
  }

  /**
   * Journals an epoch when the engine is quiet and the last one is `epochEveryMs` old; call it from a timer. Only
   * while nothing waits to be applied: the seed is the engine's state as the epoch's row finds it.
   */
  maybeEpoch(): void {
    const t = this.engine.now();
    if (this.running || this.pending.length > 0 || !Number.isFinite(t)) return;
    if (!Number.isFinite(this.lastEpochT)) this.lastEpochT = t;
    if (t - this.lastEpochT < this.epochEveryMs) return;
    const seed = this.engine.quiet();
    if (seed) this.submit({ kind: 'epoch', t: Math.floor(t), seed });
  }

  /**
   * A staff decision, answered at once as the engine would answer it, applied once journalled. The case must be open
   * and not already being resolved; its event time is the engine's now unless given.
   */
  resolveReview(caseId: string, choice: ReviewAlternative, reviewer: string, t?: number): ResolveOutcome {
    if (this.resolving.has(caseId)) return { ok: false, code: 'ALREADY_RESOLVED', reason: 'a decision is being saved' };
    const at = t ?? this.engine.now();
    const open = this.engine.snapshot().reviews.some((c) => c.caseId === caseId);
    if (!open || !Number.isFinite(at)) return { ok: false, code: 'NO_SUCH_CASE', reason: 'case is not open' };
    this.resolving.add(caseId);
    this.submit({ kind: 'resolve', t: Math.floor(at), caseId, choice, reviewer });
    return { ok: true };
  }

  /**
   * The engine as the HTTP and web layers see it: reads go straight to it; staff decisions, ticks and messages go
   * through the journal (a message's outcome is not known yet, so `ingest` answers ok and counts it later).
   */
  facade(): Engine {
    const engine = this.engine;
    return {
      ingest: (topic, payload) => {
        const bytes = payload instanceof Uint8Array ? payload : Buffer.from(JSON.stringify(payload));
        this.message(topic, bytes);
        return { ok: true };
      },
      resolveReview: (caseId, choice, reviewer, t) => this.resolveReview(caseId, choice, reviewer, t),
      tick: (t) => this.tick(t),
      finish: () => engine.finish(),
      now: () => engine.now(),
      stats: () => engine.stats(),
      snapshot: () => engine.snapshot(),
      quiet: () => engine.quiet(),
      rebase: () => {
        throw new WalkoutError(
          'EPOCH_OUTSIDE_JOURNAL',
          'an epoch is journalled by EngineJournal.maybeEpoch, not asked of the facade',
        );
      },
    };
  }

  /** Calls waiting for their batch. */
  backlog(): number {
    return this.pending.length;
  }

  /** Resolves once every call submitted so far is journalled and applied. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Resolves once every call submitted so far is journalled and applied (or refused with its batch); unlike
   * `flush`, calls submitted later do not keep it waiting.
   */
  settled(): Promise<void> {
    const upTo = this.submitted;
    if (this.finished >= upTo) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ upTo, wake }));
  }

  private finish(calls: number): void {
    this.finished += calls;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.upTo <= this.finished) this.waiters.splice(i, 1)[0]!.wake();
    }
  }

  private submit(call: JournalCall, done?: (error?: Error) => void): void {
    this.submitted += 1;
    this.pending.push({ call, receivedAt: this.wallNow(), done });
    this.running ??= this.run();
  }

  private async run(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const started = performance.now();
      let last: number;
      try {
        last = await this.journal.append(batch.map((p) => p.call));
      } catch (error) {
        this.hooks.onJournalError?.(error as Error, batch.length);
        for (const p of batch) {
          if (p.call.kind === 'resolve') this.resolving.delete(p.call.caseId);
          p.done?.(error as Error);
        }
        this.finish(batch.length);
        continue;
      }
      this.hooks.onCommit?.(batch.length, performance.now() - started);
      for (const [i, p] of batch.entries()) this.apply(p, last - batch.length + 1 + i);
      this.finish(batch.length);
    }
    this.running = null;
  }

  private apply(p: Pending, seq: number): void {
    const applied = applyCall(this.engine, p.call);
    if (p.call.kind === 'epoch' && !applied.error) {
      this.lastEpochT = p.call.t;
      const { seed } = p.call;
      this.guard(p.call, () => this.hooks.onEpoch?.(seq, seed));
    }
    const now = this.wallNow();
    if (p.call.kind === 'resolve') this.resolving.delete(p.call.caseId);
    if (p.call.kind === 'ingest') {
      this.lastInputWall = now;
      this.quietTickDue = true;
      // A handheld's stamp is a person's clock, not the sensors' (the engine files a find at its own time): a tick
      // based on it could run the store an hour ahead and time out every party at the gate.
      const ts = (applied.body as { ts?: unknown } | null)?.ts;
      const kind = parseTopic(p.call.topic);
      const sensor = kind.ok && !isStaffKind(kind.value.kind);
      if (applied.outcome?.ok && sensor && typeof ts === 'number') this.newestTs = Math.max(this.newestTs, ts);
    }
    this.guard(p.call, () => this.hooks.onApplied?.(applied, p.receivedAt, now));
    p.done?.();
  }

  /** Runs a hook; one that throws is reported, never left to reject `run()` (which nothing awaits) and stop it. */
  private guard(call: JournalCall, hook: () => void): void {
    try {
      hook();
    } catch (error) {
      if (this.hooks.onHookError) this.hooks.onHookError(error as Error, call);
      else
        queueMicrotask(() => {
          throw error;
        });
    }
  }
}
