/**
 * The staff pages' handheld: what staff do on a page (report a find, say whose it was, count a plate) is sent to the
 * engine as a message of the `console` handheld, so it is journalled and replayed like any device's. The message is
 * checked first so a bad one gets a reason back, not just a line in the log.
 */
import type { Engine } from '../engine/types.ts';
import { fail, ok, type Result } from '../errors.ts';
import type { StaffMessage } from '../protocol/messages.ts';
import { topicFor } from '../protocol/topics.ts';
import { type RejectCode, validateMessage } from '../protocol/validate.ts';
import type { Store } from '../store/store.ts';

/** The handheld id the staff pages report under. */
export const CONSOLE_HANDHELD = 'console';

export type ConsoleSend = (kind: StaffMessage['kind'], body: object) => Result<{ t: number }, RejectCode>;

/**
 * Staff messages apply at the engine's own event time; their `ts` only names them, so the edge's clock is fine here,
 * never the same ms twice.
 */
export function consoleHandheld(engine: Engine, store: Store): ConsoleSend {
  let lastTs = 0;
  return (kind, body) => {
    lastTs = Math.max(Date.now(), lastTs + 1);
    const topic = topicFor(store.def.id, kind, CONSOLE_HANDHELD);
    const payload = { v: 1, ts: lastTs, ...body };
    const valid = validateMessage(store, topic, payload);
    if (!valid.ok) return fail(valid.code, valid.reason);
    const taken = engine.ingest(topic, payload);
    return taken.ok ? ok({ t: lastTs }) : fail(taken.code, taken.reason);
  };
}
