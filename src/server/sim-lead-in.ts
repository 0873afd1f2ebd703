/**
 * Skips the empty start of the first simulated chunk. A simulated store day opens with nobody in it: the first
 * shopper scans a minute or two in, which on a freshly started demo means staring at an empty store. So the first
 * chunk's messages are held until its first gate scan (or `maxSkipMs` of store time, whichever comes first), only
 * the last `leadInMs` before it are kept, and everything from there on is moved earlier by the time skipped: the
 * feed starts a few seconds before someone arrives, with the shelves and cameras already reporting.
 * Pure: no clock, no I/O. Memory: the messages of one `leadInMs` window.
 */
import type { RecordedMessage } from '../protocol/recording.ts';
import { parseTopic } from '../protocol/topics.ts';

export interface LeadInOptions {
  /** Store time kept before the first scan, ms. */
  leadInMs: number;
  /** Never skip more than this, ms (a chunk with nobody arriving early still starts). */
  maxSkipMs: number;
}

const tsOf = (m: RecordedMessage): number | null => {
  const payload = m.payload as { ts?: unknown } | null;
  return payload !== null && typeof payload === 'object' && typeof payload.ts === 'number' ? payload.ts : null;
};

export class LeadInTrim {
  private held: { m: RecordedMessage; ts: number }[] = [];
  /** Messages before this index are dropped (spliced off in bulk, not one by one). */
  private head = 0;
  private first: number | null = null;
  private newest = Number.NEGATIVE_INFINITY;
  private shift: number | null = null;

  constructor(private readonly options: LeadInOptions) {}

  /** Store time skipped, ms (0 until decided). */
  skippedMs(): number {
    return this.shift ?? 0;
  }

  /** Takes the next message (in time order); returns those ready to go on, moved earlier by the skipped time. */
  push(m: RecordedMessage): RecordedMessage[] {
    const ts = tsOf(m);
    if (this.shift !== null) return [this.move(m, ts)];
    if (ts === null) return []; // nothing without a time reaches the feed anyway
    this.first ??= ts;
    this.newest = Math.max(this.newest, ts);
    this.held.push({ m, ts });
    const scan = parseTopic(m.topic);
    const arriving = scan.ok && scan.value.kind === 'gate.scan';
    if (!arriving && ts - this.first < this.options.maxSkipMs) {
      this.dropBefore(ts - this.options.leadInMs);
      return [];
    }
    return this.release(ts);
  }

  /** The chunk ended: whatever is still held goes on. */
  flush(): RecordedMessage[] {
    return this.shift === null && this.held.length > this.head ? this.release(this.newest) : [];
  }

  private release(at: number): RecordedMessage[] {
    this.shift = Math.max(0, at - this.options.leadInMs - (this.first ?? at));
    this.dropBefore(at - this.options.leadInMs);
    const out = this.held.slice(this.head).map(({ m, ts }) => this.move(m, ts));
    this.held = [];
    this.head = 0;
    return out;
  }

  private dropBefore(t: number): void {
    while (this.head < this.held.length && this.held[this.head]!.ts < t) this.head += 1;
    if (this.head > 4096) {
      this.held.splice(0, this.head);
      this.head = 0;
    }
  }

  private move(m: RecordedMessage, ts: number | null): RecordedMessage {
    if (ts === null || !this.shift) return m;
    return { ...m, payload: { ...(m.payload as object), ts: ts - this.shift } };
  }
}
