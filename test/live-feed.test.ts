/**
 * The staff pages' live feed: snapshots carry the open sessions and their carts only, and a socket that is behind
 * skips snapshots instead of buffering them without bound.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebSocket } from 'ws';
import type { EngineSnapshot, EngineStats } from '../src/engine/types.ts';
import type { Session } from '../src/identity/types.ts';
import { CaseMemory } from '../src/web/case-memory.ts';
import { LiveFeed } from '../src/web/live-feed.ts';

const session = (sessionId: string, state: Session['state']): Session => ({
  sessionId,
  account: sessionId,
  partySize: 1,
  gateId: 'door',
  opened: 0,
  state,
  trackIds: [],
  staff: false,
});

/** A socket that records what it was sent; `behind` bytes are waiting in its buffer. */
function socket(behind = 0) {
  const sent: { type: string; snapshot?: EngineSnapshot }[] = [];
  const fake = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: behind,
    send: (text: string) => sent.push(JSON.parse(text)),
    on: () => fake,
    close: () => {},
  };
  return { ws: fake as unknown as WebSocket, sent };
}

test('live feed: open sessions only, and a socket that is behind skips snapshots', async () => {
  let t = 0;
  const snapshot = (): EngineSnapshot => ({
    t,
    tracks: [],
    stock: {},
    sessions: [session('open', 'inside'), session('gone', 'closed')],
    carts: { open: { lines: [], total: 199 }, gone: { lines: [], total: 500 } },
    reviews: [],
    silentPlates: [],
    offlineCameras: [],
    found: [],
  });
  const engine = {
    snapshot,
    stats: () => ({ accepted: t }) as unknown as EngineStats,
    now: () => (t += 1000),
  };
  const events = { subscribe: () => () => {} };
  const feed = new LiveFeed(engine, events, new CaseMemory(), {
    snapshotEveryMs: 10,
    heartbeatMs: 10,
    maxBufferedBytes: 1000,
  });
  const live = socket();
  const slow = socket(5000);
  feed.start();
  feed.add(live.ws);
  feed.add(slow.ws);
  await new Promise((resolve) => setTimeout(resolve, 80));
  feed.stop();
  const first = live.sent[0]?.snapshot;
  assert.deepEqual(
    first?.sessions.map((s) => s.sessionId),
    ['open'],
  );
  assert.deepEqual(Object.keys(first?.carts ?? {}), ['open']);
  assert.ok(live.sent.length > 2, 'the live socket gets every push');
  assert.equal(slow.sent.length, 1, 'the socket behind got the first snapshot only');
});
