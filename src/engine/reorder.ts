/**
 * Puts validated device messages into event-time order: drops exact duplicates (QoS 1 redelivery), holds messages
 * for a reorder window so late arrivals from slower devices slot in, and rejects what comes later than that or
 * claims a time far ahead of the store (a device clock gone wrong).
 */
import { fail, ok, type Result } from '../errors.ts';
import type { DeviceMessage } from '../protocol/messages.ts';
import type { RejectCode } from '../protocol/validate.ts';

export interface ReorderConfig {
  /** How long a message is held for earlier ones to arrive, ms of event time. */
  windowMs: number;
  /** How far ahead of the newest accepted time a message may claim to be, ms. */
  maxFutureMs: number;
}

export const DEFAULT_REORDER: ReorderConfig = { windowMs: 300, maxFutureMs: 120_000 };

function dedupeKey(m: DeviceMessage): string {
  switch (m.kind) {
    case 'plate.weight':
      return `p|${m.plateId}|${m.ts}`;
    case 'camera.people':
      return `c|${m.cameraId}|${m.frame}|${m.ts}`;
    case 'gate.scan':
      return `s|${m.gateId}|${m.ts}|${m.code}`;
    case 'gate.pass':
      return `g|${m.gateId}|${m.ts}|${m.direction}`;
  }
}

type Held = { m: DeviceMessage; order: number };

/** Duplicates are recognised this long after the original (ms of event time). */
const DEDUPE_HORIZON_MS = 60_000;
const PRUNE_EVERY_MS = 5_000;

export class ReorderBuffer {
  private heap: Held[] = [];
  private arrivals = 0;
  private newest = Number.NEGATIVE_INFINITY;
  /** Every message at or before this time has been released. */
  private released = Number.NEGATIVE_INFINITY;
  private readonly seen = new Map<string, number>();
  private pruned = Number.NEGATIVE_INFINITY;

  constructor(private readonly config: ReorderConfig = DEFAULT_REORDER) {}

  /** Accepts a message into the buffer or says why not. */
  offer(m: DeviceMessage): Result<true, RejectCode> {
    if (this.newest > Number.NEGATIVE_INFINITY && m.ts > this.newest + this.config.maxFutureMs) {
      return fail('CLOCK_SKEW', `ts ${m.ts} is ${m.ts - this.newest} ms ahead of the store`);
    }
    if (m.ts < this.released) return fail('TOO_LATE', `ts ${m.ts} arrived after ${this.released} was processed`);
    const key = dedupeKey(m);
    if (this.seen.has(key)) return fail('DUPLICATE', `already received ${key}`);
    this.seen.set(key, m.ts);
    this.newest = Math.max(this.newest, m.ts);
    this.push({ m, order: this.arrivals++ });
    return ok(true);
  }

  /** Messages whose reorder window has passed, in event-time order. */
  drain(): DeviceMessage[] {
    return this.releaseUpTo(this.newest - this.config.windowMs);
  }

  /** Messages held since before `t − window`: a clock tick releases them when devices go quiet. */
  drainUntil(t: number): DeviceMessage[] {
    return this.releaseUpTo(Math.min(t, this.newest + this.config.maxFutureMs) - this.config.windowMs);
  }

  /** End of stream: everything still held, in order. */
  drainAll(): DeviceMessage[] {
    return this.releaseUpTo(Number.POSITIVE_INFINITY);
  }

  private releaseUpTo(limit: number): DeviceMessage[] {
    const out: DeviceMessage[] = [];
    while (this.heap.length > 0 && this.heap[0]!.m.ts <= limit) {
      const held = this.pop();
      out.push(held.m);
      this.released = Math.max(this.released, held.m.ts);
    }
    // Pruning walks the oldest keys; doing it every few seconds keeps deleted entries from piling up in the walk.
    if (this.released - this.pruned > PRUNE_EVERY_MS) {
      this.pruned = this.released;
      this.forgetBefore(this.released - DEDUPE_HORIZON_MS);
    }
    return out;
  }

  private forgetBefore(t: number): void {
    // Map keeps insertion order, which is close to time order: stop at the first recent key.
    for (const [key, ts] of this.seen) {
      if (ts >= t) break;
      this.seen.delete(key);
    }
  }

  private less(a: Held, b: Held): boolean {
    return a.m.ts < b.m.ts || (a.m.ts === b.m.ts && a.order < b.order);
  }

  private push(h: Held): void {
    const heap = this.heap;
    heap.push(h);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Held {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
