/**
 * The staff pages' handheld: what staff do on a page (report a find, say whose it was, count a plate) is sent to the
 * engine as a message of the `console` handheld, so it is journalled and replayed like any device's. The message is
 * checked first so a bad one gets a reason back, not just a line in the log; the answer then waits for the engine
 * to apply it, so a refusal there (a find no longer waiting, a plate still settling) is the answer too.
 */
import type { LoggedEvent } from '../engine/events.ts';
import type { Engine } from '../engine/types.ts';
import { fail, ok, type Result } from '../errors.ts';
import type { StaffMessage } from '../protocol/messages.ts';
import { topicFor } from '../protocol/topics.ts';
import { type RejectCode, validateMessage } from '../protocol/validate.ts';
import type { Store } from '../store/store.ts';

/** The handheld id the staff pages report under. */
export const CONSOLE_HANDHELD = 'console';

export type ConsoleSend = (kind: StaffMessage['kind'], body: object) => Promise<Result<{ t: number }, RejectCode>>;

export interface ConsoleDeps {
  engine: Engine;
  store: Store;
  /** The logged decisions, where the engine's refusal of a journalled message shows. */
  events?: { subscribe(fn: (e: LoggedEvent) => void): () => void };
  /** Resolves once every call handed to `engine` so far is applied and its decisions delivered. */
  settled?: () => Promise<void>;
}

/**
 * Staff messages apply at the engine's own event time; their `ts` only names them, so the edge's clock is fine here,
 * never the same ms twice, so the engine's refusal names this message by it.
 */
export function consoleHandheld(deps: ConsoleDeps): ConsoleSend {
  let lastTs = 0;
  return async (kind, body) => {
    lastTs = Math.max(Date.now(), lastTs + 1);
    const t = lastTs;
    const topic = topicFor(deps.store.def.id, kind, CONSOLE_HANDHELD);
    const payload = { v: 1, ts: t, ...body };
    const valid = validateMessage(deps.store, topic, payload);
    if (!valid.ok) return fail(valid.code, valid.reason);
    let refused: { code: RejectCode; reason: string } | undefined;
    const unsubscribe = deps.events?.subscribe((e) => {
      if (e.type === 'message.rejected' && e.data.topic === topic && e.data.ts === t) refused = e.data;
    });
    try {
      const taken = deps.engine.ingest(topic, payload);
      if (!taken.ok) return fail(taken.code, taken.reason);
      await deps.settled?.();
      return refused ? fail(refused.code, refused.reason) : ok({ t });
    } finally {
      unsubscribe?.();
    }
  };
}
