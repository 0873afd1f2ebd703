/**
 * What the edge knows about each device of the store: messages seen, when the last one arrived, and its clock skew,
 * estimated as the median over its last messages of (the time the device says it sent − the time the server got
 * it). Network and broker delay make that slightly negative even for a perfect clock; a skew of seconds means the
 * device's clock is off, and the engine will reject its messages as TOO_LATE (behind) or CLOCK_SKEW (ahead). One
 * running seconds ahead would drag the store's clock past every other device: `aheadBy` spots its messages at the
 * edge, before the engine sees them. Only devices in the store definition are tracked, so a flood of made-up device
 * ids costs no memory.
 */
import type { ParsedTopic } from '../protocol/topics.ts';
import type { Store } from '../store/store.ts';

export type DeviceKind = 'plate' | 'camera' | 'gate';

export interface DeviceReport {
  deviceId: string;
  kind: DeviceKind;
  messages: number;
  /** Wall time of the last message, ms epoch; null before the first. */
  lastSeenAt: number | null;
  /** Median of (device send time − receive time), ms; null before the first message with a timestamp. */
  skewMs: number | null;
}

/** Skew samples kept per device. */
const SAMPLES = 31;

type Entry = { kind: DeviceKind; messages: number; lastSeenAt: number | null; samples: number[]; next: number };

/** Staff handhelds are not in the store definition, so they are not tracked either. */
const KIND_OF: Record<ParsedTopic['kind'], DeviceKind | null> = {
  'plate.weight': 'plate',
  'camera.people': 'camera',
  'gate.scan': 'gate',
  'gate.pass': 'gate',
  'item.found': null,
  'found.assign': null,
  'stock.count': null,
};

export class DeviceHealth {
  private readonly devices = new Map<string, Entry>();
  /**
   * Every device's skew, for `aheadBy`: taken again when a second (wall) old or when a device is first measured, so a
   * device running ahead, whose every message asks, costs a sort a second rather than one per device per message.
   */
  private skews: { at: number; of: Map<Entry, number>; sorted: number[] } | null = null;

  constructor(store: Store) {
    for (const id of store.plates.keys()) this.devices.set(`plate:${id}`, entry('plate'));
    for (const id of store.cameras.keys()) this.devices.set(`camera:${id}`, entry('camera'));
    for (const id of store.gates.keys()) this.devices.set(`gate:${id}`, entry('gate'));
  }

  /** One message from a device, received at wall time `receivedAt`. */
  observe(topic: ParsedTopic, body: unknown, receivedAt: number): void {
    const e = this.devices.get(`${KIND_OF[topic.kind]}:${topic.deviceId}`);
    if (!e) return;
    e.messages += 1;
    e.lastSeenAt = receivedAt;
    const sent = sentAt(topic.kind, body);
    if (sent === null) return;
    // A device measured for the first time is a new witness of the store's time: not a second late.
    if (e.next === 0) this.skews = null;
    e.samples[e.next % SAMPLES] = sent - receivedAt;
    e.next += 1;
  }

  /**
   * How far (ms) this message is stamped ahead of the server's clock, when that is more than `maxLeadMs` and it is
   * as far ahead of the other devices' clocks (the median of their skews): one device's clock gone fast. Null when it
   * is not, or when the others are as far ahead (the server's clock is the one behind). Before any other device was
   * measured (a fresh start) the server's clock alone decides; until then a server clock gone slow costs the first
   * device's messages, and the next device to speak settles it.
   */
  aheadBy(topic: ParsedTopic, body: unknown, receivedAt: number, maxLeadMs: number): number | null {
    const sent = sentAt(topic.kind, body);
    if (sent === null || sent - receivedAt <= maxLeadMs) return null;
    const self = this.devices.get(`${KIND_OF[topic.kind]}:${topic.deviceId}`);
    if (!self) return null;
    const others = this.medianSkewBesides(self, receivedAt) ?? 0;
    return sent - receivedAt - others > maxLeadMs ? sent - receivedAt : null;
  }

  /** The median skew of the devices other than `self` (from skews at most a second old); null when none. */
  private medianSkewBesides(self: Entry, now: number): number | null {
    if (!this.skews || now - this.skews.at > 1_000) {
      const of = new Map<Entry, number>();
      for (const e of this.devices.values()) {
        const skew = median(e.samples);
        if (skew !== null) of.set(e, skew);
      }
      this.skews = { at: now, of, sorted: [...of.values()].sort((a, b) => a - b) };
    }
    const own = this.skews.of.get(self);
    const sorted = [...this.skews.sorted];
    if (own !== undefined) sorted.splice(sorted.indexOf(own), 1);
    return middle(sorted);
  }

  /** The current skew estimate of the device behind `topic`, ms; null when unknown or not yet measured. */
  skewOf(topic: ParsedTopic): number | null {
    return median(this.devices.get(`${KIND_OF[topic.kind]}:${topic.deviceId}`)?.samples ?? []);
  }

  list(): DeviceReport[] {
    return [...this.devices].map(([key, e]) => ({
      deviceId: key.slice(key.indexOf(':') + 1),
      kind: e.kind,
      messages: e.messages,
      lastSeenAt: e.lastSeenAt,
      skewMs: median(e.samples),
    }));
  }
}

function entry(kind: DeviceKind): Entry {
  return { kind, messages: 0, lastSeenAt: null, samples: [], next: 0 };
}

/**
 * When the device sent the message by its own clock. A plate batch is stamped with its first sample and sent after
 * its last, so the batch's span is added; other messages are sent when stamped.
 */
function sentAt(kind: ParsedTopic['kind'], body: unknown): number | null {
  if (typeof body !== 'object' || body === null) return null;
  const { ts, hz, grams } = body as { ts?: unknown; hz?: unknown; grams?: unknown };
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return null;
  if (kind === 'plate.weight' && typeof hz === 'number' && hz > 0 && Array.isArray(grams) && grams.length > 0) {
    return ts + ((grams.length - 1) * 1000) / hz;
  }
  return ts;
}

function median(values: number[]): number | null {
  return middle([...values].sort((a, b) => a - b));
}

/** The median of values already sorted; null when there are none. */
function middle(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
