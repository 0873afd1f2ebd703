/**
 * Puts validated device messages into event-time order: drops exact duplicates (QoS 1 redelivery), holds messages
 * for a reorder window so late arrivals from slower devices slot in, and rejects what comes later than that or
 * claims a time far ahead of the store (a device clock gone wrong).
 */
import { fail, ok, type Result } from '../errors.ts';
import type { SensorMessage } from '../protocol/messages.ts';
import type { RejectCode } from '../protocol/validate.ts';

export interface ReorderConfig {
  /** How long a message is held for earlier ones to arrive, ms of event time. */
  windowMs: number;
  /** How far ahead of the newest accepted time a message may claim to be, ms. */
  maxFutureMs: number;
}

export const DEFAULT_REORDER: ReorderConfig = { windowMs: 300, maxFutureMs: 120_000 };

/** How a duplicate is named in its reject reason. */
function dedupeKey(m: SensorMessage): string {
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

function deviceOf(m: SensorMessage): string {
  switch (m.kind) {
    case 'plate.weight':
      return m.plateId;
    case 'camera.people':
      return m.cameraId;
    case 'gate.scan':
    case 'gate.pass':
      return m.gateId;
  }
}

/** What, beside device and time, makes two messages the same message. */
function detailOf(m: SensorMessage): number | string {
  switch (m.kind) {
    case 'plate.weight':
      return 0;
    case 'camera.people':
      return m.frame;
    case 'gate.scan':
      return m.code;
    case 'gate.pass':
      return m.direction;
  }
}

/**
 * One device's accepted messages that a duplicate could still match: a copy of anything older than the released
 * time is rejected as too late before it is looked up, so only times at or after it are kept (a handful per device).
 * Numbers in arrays rather than string keys in a map: nothing is allocated per message, nothing lives long.
 */
class RecentTimes {
  private readonly ts: number[] = [];
  private readonly detail: (number | string)[] = [];

  /** Whether (ts, detail) was accepted already; first forgets what is older than `released`. */
  has(ts: number, detail: number | string, released: number): boolean {
    const times = this.ts;
    let kept = 0;
    let found = false;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      if (t < released) continue;
      const d = this.detail[i]!;
      if (t === ts && d === detail) found = true;
      times[kept] = t;
      this.detail[kept] = d;
      kept++;
    }
    // pop(), not `length =`: setting the length is a slow runtime call and this runs on every message.
    while (times.length > kept) {
      times.pop();
      this.detail.pop();
    }
    return found;
  }

  add(ts: number, detail: number | string): void {
    this.ts.push(ts);
    this.detail.push(detail);
  }

  /** What it still remembers at or after `released`, as [ts, detail] pairs. */
  since(released: number): [number, number | string][] {
    return this.ts.flatMap((t, i): [number, number | string][] => (t >= released ? [[t, this.detail[i]!]] : []));
  }
}

/** Where the buffer's clock stands and what it holds: a journal epoch carries it into a fresh engine. */
export interface ReorderState {
  newest: number;
  released: number;
  /** Held messages, in the order they will be released. */
  held: SensorMessage[];
  /**
   * What the duplicate check still remembers of released messages (at the released time): a copy sent again across
   * the epoch is still a duplicate. Per kind and device, [ts, detail] pairs.
   */
  recent: Partial<Record<SensorMessage['kind'], Record<string, [number, number | string][]>>>;
}

/**
 * The store's clock follows devices claiming a time past `maxFutureMs` ahead of it only when it was the one behind
 * (a restart after an outage): `QUORUM` devices agree within `AGREE_MS`, and for `HELD_MS` of their time nothing
 * was accepted in between. One device, or one controller stamping several plates, with a wrong clock is refused
 * while the rest of the store goes on being accepted.
 */
const QUORUM = 3;
const AGREE_MS = 5_000;
const HELD_MS = 1_000;

const KINDS: readonly SensorMessage['kind'][] = ['plate.weight', 'camera.people', 'gate.scan', 'gate.pass'];

/**
 * A device whose clock runs ahead must not drag the store's clock past the others, or every other device's messages
 * arrive too late. A message moves the clock at most `windowMs` past the newest time of the other devices heard
 * lately (their newest within `PEER_MS` of it, among the last `PEER_ARRIVALS` messages); with no such device (a
 * store of one, or the rest quiet) it moves it freely. Its own messages past that are held until the others get
 * there. A device ahead by more than `PEER_MS` still drags the clock; a live server refuses one at the edge, where a
 * wall clock says which device is wrong (docs/operations.md, clock skew).
 */
const PEER_ARRIVALS = 64;
const PEER_MS = 2_000;

/** One device per gate (its scans and passes), per plate, per camera. */
const deviceKey = (m: SensorMessage): string => `${m.kind === 'gate.pass' ? 'gate.scan' : m.kind}|${deviceOf(m)}`;

/** The one answer to an accepted message, shared: offer() runs on every message. */
const ACCEPTED: Result<true, RejectCode> = Object.freeze(ok(true as const));

export class ReorderBuffer {
  /** A binary min-heap on (ts, arrival order), as parallel arrays so a held message costs no wrapper object. */
  private readonly heapMessages: SensorMessage[] = [];
  private readonly heapTs: number[] = [];
  private readonly heapOrder: number[] = [];
  private arrivals = 0;
  private newest = Number.NEGATIVE_INFINITY;
  /** Every message at or before this time has been released. */
  private released = Number.NEGATIVE_INFINITY;
  /**
   * The last accepted messages' devices (numbered; a gate's scans and passes one device) and times, a ring: who has
   * been heard lately, and when. Numbered per kind by the device's own id, so a message costs no new string.
   */
  private readonly deviceIds: Record<Exclude<SensorMessage['kind'], 'gate.pass'>, Map<string, number>> = {
    'plate.weight': new Map(),
    'camera.people': new Map(),
    'gate.scan': new Map(),
  };
  private devices = 0;
  private readonly lastDevice = new Int32Array(PEER_ARRIVALS).fill(-1);
  private readonly lastTs = new Float64Array(PEER_ARRIVALS);
  private lastAt = 0;
  /** Per device, its latest time refused as ahead of the store since a message was last accepted. */
  private readonly ahead = new Map<string, number>();
  /** The first such time. */
  private aheadFrom = Number.POSITIVE_INFINITY;
  private readonly recent: Record<SensorMessage['kind'], Map<string, RecentTimes>> = {
    'plate.weight': new Map(),
    'camera.people': new Map(),
    'gate.scan': new Map(),
    'gate.pass': new Map(),
  };

  /** `from`: a previous buffer's state (its held messages are taken again, duplicates of them then refused). */
  constructor(
    private readonly config: ReorderConfig = DEFAULT_REORDER,
    from?: ReorderState,
  ) {
    if (!from) return;
    // A seed read back from JSON has null for −∞.
    this.newest = Number.isFinite(from.newest) ? from.newest : Number.NEGATIVE_INFINITY;
    this.released = Number.isFinite(from.released) ? from.released : Number.NEGATIVE_INFINITY;
    for (const m of from.held) this.offer(m);
    for (const kind of KINDS) {
      for (const [device, pairs] of Object.entries(from.recent[kind] ?? {})) {
        const recent = this.recentOf(kind, device);
        for (const [ts, detail] of pairs) if (!recent.has(ts, detail, this.released)) recent.add(ts, detail);
      }
    }
  }

  state(): ReorderState {
    const order = this.heapTs
      .map((_, i) => i)
      .sort((a, b) => (this.before(a, this.heapTs[b]!, this.heapOrder[b]!) ? -1 : 1));
    const recent: ReorderState['recent'] = {};
    for (const kind of KINDS) {
      const devices: Record<string, [number, number | string][]> = {};
      for (const [device, times] of this.recent[kind]) {
        const pairs = times.since(this.released);
        if (pairs.length > 0) devices[device] = pairs;
      }
      if (Object.keys(devices).length > 0) recent[kind] = devices;
    }
    return { newest: this.newest, released: this.released, held: order.map((i) => this.heapMessages[i]!), recent };
  }

  private recentOf(kind: SensorMessage['kind'], device: string): RecentTimes {
    const devices = this.recent[kind];
    let recent = devices.get(device);
    if (!recent) {
      recent = new RecentTimes();
      devices.set(device, recent);
    }
    return recent;
  }

  /** Accepts a message into the buffer or says why not. */
  offer(m: SensorMessage): Result<true, RejectCode> {
    if (
      this.newest > Number.NEGATIVE_INFINITY &&
      m.ts > this.newest + this.config.maxFutureMs &&
      !this.storeBehind(m)
    ) {
      return fail('CLOCK_SKEW', `ts ${m.ts} is ${m.ts - this.newest} ms ahead of the store`);
    }
    if (m.ts < this.released) return fail('TOO_LATE', `ts ${m.ts} arrived after ${this.released} was processed`);
    const recent = this.recentOf(m.kind, deviceOf(m));
    const detail = detailOf(m);
    if (recent.has(m.ts, detail, this.released)) return fail('DUPLICATE', `already received ${dedupeKey(m)}`);
    recent.add(m.ts, detail);
    if (this.ahead.size > 0) this.clearAhead();
    this.newest = Math.max(this.newest, this.clockAfter(m));
    this.push(m, this.arrivals++);
    return ACCEPTED;
  }

  /** Where `m` may move the store's clock (see `PEER_MS`), noting it among the last arrivals. */
  private clockAfter(m: SensorMessage): number {
    const ids = this.deviceIds[m.kind === 'gate.pass' ? 'gate.scan' : m.kind];
    let id = ids.get(deviceOf(m));
    if (id === undefined) {
      id = this.devices++;
      ids.set(deviceOf(m), id);
    }
    let peers = Number.NEGATIVE_INFINITY;
    // Only a message past the clock can move it: the others need no look at their peers.
    for (let i = 0; m.ts > this.newest && i < PEER_ARRIVALS; i++) {
      const device = this.lastDevice[i]!;
      const ts = this.lastTs[i]!;
      if (device >= 0 && device !== id && ts > peers && ts >= m.ts - PEER_MS) peers = ts;
    }
    this.lastDevice[this.lastAt] = id;
    this.lastTs[this.lastAt] = m.ts;
    this.lastAt = (this.lastAt + 1) % PEER_ARRIVALS;
    return peers === Number.NEGATIVE_INFINITY ? m.ts : Math.min(m.ts, peers + this.config.windowMs);
  }

  /** Whether the store's clock is the one behind (see `QUORUM`): then it follows this message. */
  private storeBehind(m: SensorMessage): boolean {
    // One entry per device (a gate's scans and passes are one device), so it stays as small as the store.
    this.ahead.set(deviceKey(m), m.ts);
    this.aheadFrom = Math.min(this.aheadFrom, m.ts);
    let agreeing = 0;
    for (const ts of this.ahead.values()) if (Math.abs(ts - m.ts) <= AGREE_MS) agreeing++;
    if (agreeing < QUORUM || m.ts - this.aheadFrom < HELD_MS) return false;
    this.clearAhead();
    return true;
  }

  private clearAhead(): void {
    this.ahead.clear();
    this.aheadFrom = Number.POSITIVE_INFINITY;
  }

  /** Messages whose reorder window has passed, in event-time order. */
  drain(): SensorMessage[] {
    return this.releaseUpTo(this.newest - this.config.windowMs);
  }

  /**
   * Messages held since before `t − window`: a clock tick releases them when devices go quiet, up to the store's
   * clock (a device running ahead of the others waits for them).
   */
  drainUntil(t: number): SensorMessage[] {
    return this.releaseUpTo(Math.min(t - this.config.windowMs, this.newest));
  }

  /** End of stream: everything still held, in order. */
  drainAll(): SensorMessage[] {
    return this.releaseUpTo(Number.POSITIVE_INFINITY);
  }

  private releaseUpTo(limit: number): SensorMessage[] {
    const out: SensorMessage[] = [];
    while (this.heapTs.length > 0 && this.heapTs[0]! <= limit) {
      const m = this.pop();
      out.push(m);
      this.released = Math.max(this.released, m.ts);
    }
    return out;
  }

  /** Whether heap slot a comes before (ts, order). */
  private before(a: number, ts: number, order: number): boolean {
    const ta = this.heapTs[a]!;
    return ta < ts || (ta === ts && this.heapOrder[a]! < order);
  }

  private place(i: number, m: SensorMessage, ts: number, order: number): void {
    this.heapMessages[i] = m;
    this.heapTs[i] = ts;
    this.heapOrder[i] = order;
  }

  private move(from: number, to: number): void {
    this.place(to, this.heapMessages[from]!, this.heapTs[from]!, this.heapOrder[from]!);
  }

  private push(m: SensorMessage, order: number): void {
    const ts = m.ts;
    // Sift a hole up from the new last slot, then drop the message in.
    let i = this.heapTs.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.before(parent, ts, order)) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, m, ts, order);
  }

  private pop(): SensorMessage {
    const top = this.heapMessages[0]!;
    const m = this.heapMessages.pop()!;
    const ts = this.heapTs.pop()!;
    const order = this.heapOrder.pop()!;
    const last = this.heapTs.length;
    if (last === 0) return top;
    // Sift the hole down from the root, then drop the former last message in.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const child = r < last && this.before(r, this.heapTs[l]!, this.heapOrder[l]!) ? r : l;
      if (!this.before(child, ts, order)) break;
      this.move(child, i);
      i = child;
    }
    this.place(i, m, ts, order);
    return top;
  }
}
