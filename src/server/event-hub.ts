/**
 * Where the engine's decisions go in the running server: appended to the event log in the order decided, then handed
 * with their sequence number to live subscribers (WebSocket clients, the web pages) and to side effects such as
 * publishing gate commands. The engine's sink is synchronous; the log is not, so appends are chained in order.
 */
import type { EngineEvent, EngineSink, LoggedEvent } from '../engine/events.ts';
import type { EventLog } from '../storage/event-log.ts';

export type EventListener = (event: LoggedEvent) => void;

export interface EventHubHooks {
  /** Called synchronously for every decision, before it is logged (gate commands must not wait on the disk). */
  onDecision?: (event: EngineEvent) => void;
  /** An append failed; the event is lost to the log but still reaches subscribers with seq 0. */
  onAppendError?: (error: Error, event: EngineEvent) => void;
  /** A subscriber threw; it stays subscribed. */
  onListenerError?: (error: Error) => void;
}

export class EventHub {
  private tail: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<EventListener>();
  private healthy = true;
  private failures = 0;

  constructor(
    private readonly log: EventLog,
    private readonly hooks: EventHubHooks = {},
  ) {}

  /** The engine sink. */
  readonly sink: EngineSink = (event) => {
    this.hooks.onDecision?.(event);
    const appended = this.log.append(event);
    // Handled below once the chain reaches it; this stops an early failure counting as unhandled meanwhile.
    appended.catch(() => undefined);
    this.tail = this.tail
      .then(() => appended)
      .then(
        (seq) => {
          this.healthy = true;
          this.publish({ ...event, seq } as LoggedEvent);
        },
        (error: Error) => {
          this.healthy = false;
          this.failures += 1;
          this.hooks.onAppendError?.(error, event);
          this.publish({ ...event, seq: 0 } as LoggedEvent);
        },
      );
  };

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** False after an append failed, until one succeeds again. */
  appendsHealthy(): boolean {
    return this.healthy;
  }

  /** Decisions the log refused since start: the log then lacks them, and positions after them are off. */
  appendFailures(): number {
    return this.failures;
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  /** Resolves when every decision so far is logged and delivered. */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Forgets every subscriber (shutdown). */
  clear(): void {
    this.listeners.clear();
  }

  private publish(event: LoggedEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.hooks.onListenerError?.(error as Error);
      }
    }
  }
}
