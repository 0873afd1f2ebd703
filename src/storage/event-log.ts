/**
 * The append-only event log: the truth every projection is rebuilt from. One interface, several back ends
 * (memory, SQLite, PostgreSQL), one contract suite (event-log.contract.ts) run against each.
 */
import type { EngineEvent, EngineEventType, LoggedEvent } from '../engine/events.ts';

export interface EventLog {
  /** Appends and returns the assigned sequence number (1, 2, 3, … with no gaps). */
  append(event: EngineEvent): Promise<number>;
  /** Events with seq > `after`, oldest first, optionally only of some types. */
  read(options?: { after?: number; types?: readonly EngineEventType[]; limit?: number }): Promise<LoggedEvent[]>;
  /** Highest seq written, 0 when empty. */
  lastSeq(): Promise<number>;
  close(): Promise<void>;
}

/** Kept in memory: tests and in-process benchmarks. */
export class MemoryEventLog implements EventLog {
  private readonly events: LoggedEvent[] = [];

  async append(event: EngineEvent): Promise<number> {
    const seq = this.events.length + 1;
    this.events.push({ ...event, seq } as LoggedEvent);
    return seq;
  }

  async read(options: { after?: number; types?: readonly EngineEventType[]; limit?: number } = {}) {
    const after = options.after ?? 0;
    const types = options.types ? new Set<string>(options.types) : null;
    const out = this.events.slice(after).filter((e) => !types || types.has(e.type));
    return options.limit ? out.slice(0, options.limit) : out;
  }

  async lastSeq(): Promise<number> {
    return this.events.length;
  }

  async close(): Promise<void> {}
}
