/**
 * The staff pages' live wire: every logged engine event as it happens, and a fresh snapshot about twice a second,
 * pushed to each connected staff WebSocket. Also samples shopper tracks for the review console's scenes.
 * Lifecycle: `start()` subscribes and starts the timer, `stop()` undoes both and closes the sockets.
 */
import type { WebSocket } from 'ws';
import type { LoggedEvent } from '../engine/events.ts';
import type { Engine, EngineSnapshot, EngineStats } from '../engine/types.ts';
import type { CaseMemory } from './case-memory.ts';

/** What the browser receives, one JSON object per WebSocket message. */
export type LiveMessage =
  | { type: 'snapshot'; snapshot: EngineSnapshot; stats: EngineStats }
  | { type: 'event'; event: LoggedEvent };

export interface LiveFeedOptions {
  snapshotEveryMs: number;
  /** Push a snapshot at least this often even when event time stands still (a quiet store). */
  heartbeatMs: number;
  /** A socket further behind than this many bytes skips events; the next snapshot brings it up to date. */
  maxBufferedBytes: number;
}

export const DEFAULT_LIVE_FEED: LiveFeedOptions = {
  snapshotEveryMs: 500,
  heartbeatMs: 5_000,
  maxBufferedBytes: 1 << 20,
};

/**
 * The pages show the sessions still open and their carts; a day's closed ones (until the next journal epoch) would
 * make every push, twice a second, grow with the day.
 */
function openOnly(snapshot: EngineSnapshot): EngineSnapshot {
  const sessions = snapshot.sessions.filter((s) => s.state !== 'closed');
  const carts = Object.fromEntries(
    sessions.flatMap((s) => (s.sessionId in snapshot.carts ? [[s.sessionId, snapshot.carts[s.sessionId]!]] : [])),
  );
  return { ...snapshot, sessions, carts };
}

export interface EventSource {
  subscribe(fn: (e: LoggedEvent) => void): () => void;
}

export class LiveFeed {
  private readonly sockets = new Set<WebSocket>();
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastKey = '';
  private lastPush = 0;

  constructor(
    private readonly engine: Pick<Engine, 'snapshot' | 'stats' | 'now'>,
    private readonly events: EventSource,
    private readonly memory: CaseMemory,
    private readonly options: LiveFeedOptions = DEFAULT_LIVE_FEED,
  ) {}

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.events.subscribe((event) => this.onEvent(event));
    this.timer = setInterval(() => this.tick(), this.options.snapshotEveryMs);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const socket of this.sockets) socket.close(1001, 'server stopping');
    this.sockets.clear();
  }

  /** A new staff page: it gets a snapshot at once, then the stream. */
  add(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    this.send(socket, this.snapshotMessage());
  }

  get connections(): number {
    return this.sockets.size;
  }

  private onEvent(event: LoggedEvent): void {
    this.memory.onEvent(event, () => this.engine.snapshot().tracks);
    if (this.sockets.size === 0) return;
    const text = JSON.stringify({ type: 'event', event } satisfies LiveMessage);
    for (const socket of this.sockets) {
      if (socket.bufferedAmount <= this.options.maxBufferedBytes) this.sendText(socket, text);
    }
  }

  private snapshotMessage(): LiveMessage {
    const snapshot = this.engine.snapshot();
    this.memory.sampleTracks(snapshot.tracks);
    return { type: 'snapshot', snapshot: openOnly(snapshot), stats: this.engine.stats() };
  }

  private tick(): void {
    const stats = this.engine.stats();
    const key = `${this.engine.now()}|${stats.accepted}|${stats.reviewsOpen}`;
    const now = Date.now();
    const quiet = key === this.lastKey;
    if (quiet && now - this.lastPush < this.options.heartbeatMs) return;
    this.lastKey = key;
    this.lastPush = now;
    const message = this.snapshotMessage();
    if (this.sockets.size === 0) return;
    const text = JSON.stringify(message);
    // A socket still behind skips this one: the next snapshot brings it up to date, memory stays bounded.
    for (const socket of this.sockets) {
      if (socket.bufferedAmount <= this.options.maxBufferedBytes) this.sendText(socket, text);
    }
  }

  private send(socket: WebSocket, message: LiveMessage): void {
    this.sendText(socket, JSON.stringify(message));
  }

  private sendText(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(text);
  }
}
