/**
 * Stitches independent simulator runs into one continuous live feed. Each chunk is a fresh simulation, so between
 * chunks: timestamps are moved to the chunk's wall-clock start if the simulator did not honour it, entry codes get a
 * chunk suffix (the demo authorizer admits a code once), and each plate's readings are shifted so its weight carries
 * on from where the previous chunk left it instead of jumping back to a full shelf.
 * Pure: no clock, no I/O.
 */
import type { RecordedMessage } from '../protocol/recording.ts';
import { parseTopic } from '../protocol/topics.ts';

/** A message ready to publish: its device time, topic and JSON text. */
export interface FeedMessage {
  ts: number;
  topic: string;
  payload: string;
}

/** Beyond this gap between the requested start and the first message, the simulator ignored `start`. */
const START_TOLERANCE_MS = 60_000;

export class ChunkRewriter {
  private index = 0;
  private start = 0;
  private tsOffset: number | null = null;
  private newest = Number.NEGATIVE_INFINITY;
  /** Per plate: grams added to this chunk's readings, and the last grams published. */
  private readonly plateShift = new Map<string, number>();
  private readonly plateLast = new Map<string, number>();
  private readonly shiftedThisChunk = new Set<string>();

  beginChunk(index: number, start: number): void {
    this.index = index;
    this.start = start;
    this.tsOffset = null;
    this.shiftedThisChunk.clear();
  }

  /** Newest timestamp published so far. */
  lastTs(): number {
    return this.newest;
  }

  rewrite(m: RecordedMessage): FeedMessage | null {
    const payload = m.payload;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
    const body = { ...(payload as Record<string, unknown>) };
    if (typeof body.ts !== 'number') return null;
    if (this.tsOffset === null) {
      const gap = this.start - body.ts;
      this.tsOffset = Math.abs(gap) > START_TOLERANCE_MS ? gap : 0;
    }
    body.ts = body.ts + this.tsOffset;
    const topic = parseTopic(m.topic);
    if (topic.ok && topic.value.kind === 'plate.weight') this.carryPlate(topic.value.deviceId, body);
    if (topic.ok && topic.value.kind === 'gate.scan' && typeof body.code === 'string') {
      body.code = this.chunkCode(body.code);
    }
    this.newest = Math.max(this.newest, body.ts as number);
    return { ts: body.ts as number, topic: m.topic, payload: JSON.stringify(body) };
  }

  private carryPlate(plateId: string, body: Record<string, unknown>): void {
    const grams = body.grams;
    if (!Array.isArray(grams) || grams.length === 0 || !grams.every((g) => typeof g === 'number')) return;
    if (!this.shiftedThisChunk.has(plateId)) {
      this.shiftedThisChunk.add(plateId);
      const last = this.plateLast.get(plateId);
      const shift = this.plateShift.get(plateId) ?? 0;
      // The new simulation restarts from its own baseline; continue from the weight last published instead.
      if (last !== undefined) this.plateShift.set(plateId, last - (grams[0] as number));
      else this.plateShift.set(plateId, shift);
    }
    const shift = this.plateShift.get(plateId) ?? 0;
    const shifted = (grams as number[]).map((g) => Math.round((g + shift) * 100) / 100);
    body.grams = shifted;
    this.plateLast.set(plateId, shifted[shifted.length - 1] as number);
  }

  /** `demo:<account>:<n>` → `demo:<account>.c<k>:<n>` (and staff codes alike) for every chunk after the first. */
  private chunkCode(code: string): string {
    if (this.index === 0) return code;
    const suffix = `.c${this.index}`;
    const shopper = /^demo:([A-Za-z0-9_.-]+):([1-9])$/.exec(code);
    if (shopper) return `demo:${shopper[1]}${suffix}:${shopper[2]}`;
    const staff = /^staff:([A-Za-z0-9_.-]+)$/.exec(code);
    if (staff) return `staff:${staff[1]}${suffix}`;
    return code;
  }
}
