/**
 * The engine's event stream as the staff plugins subscribe to it, fed by hand: each pushed event gets the next
 * sequence number and goes to every subscriber.
 */
import type { EngineEvent, LoggedEvent } from '../../src/engine/events.ts';

export function eventBus() {
  const subscribers = new Set<(e: LoggedEvent) => void>();
  let seq = 0;
  return {
    events: {
      subscribe(fn: (e: LoggedEvent) => void) {
        subscribers.add(fn);
        return () => subscribers.delete(fn);
      },
    },
    push(event: EngineEvent) {
      seq += 1;
      for (const fn of subscribers) fn({ ...event, seq } as LoggedEvent);
    },
    subscribers,
  };
}
