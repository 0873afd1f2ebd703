/**
 * The staff pages' server-side logic without a browser: queue order, candidates, what a click decides, the floor
 * plan's plate cells, the case memory, and the staff check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import type { LoggedEvent } from '../src/engine/events.ts';
import type { Session } from '../src/identity/types.ts';
import type { ReviewCase } from '../src/review/types.ts';
import { loadStoreFile } from '../src/store/load-store.ts';
import type { Fixture } from '../src/store/schema.ts';
import { parseCookies, safeNext, staffFromRequest } from '../src/web/auth.ts';
import { CaseMemory } from '../src/web/case-memory.ts';
import { plateCells, storeLayout } from '../src/web/layout.ts';
import { loginPage } from '../src/web/login-page.ts';
import {
  buildReviewQueue,
  candidatesOf,
  choiceFor,
  keepEvidence,
  orderQueue,
  parseShelfEventId,
} from '../src/web/review-view.ts';
import { escapeHtml } from '../src/web/shell.ts';
import type { ShelfEvent } from '../src/weight/types.ts';

const session = (sessionId: string, state: Session['state'], account = sessionId): Session => ({
  sessionId,
  account,
  partySize: 1,
  gateId: 'entry',
  opened: 0,
  state,
  trackIds: [],
  staff: false,
});

const reviewCase = (caseId: string, opened: number, sessions: (string | null)[]): ReviewCase => ({
  caseId,
  shelfEventId: `E-${caseId}`,
  opened,
  reason: 'test',
  alternatives: sessions.map((sessionId, i) => ({
    sessionId,
    items: [{ sku: i % 2 ? 'B' : 'A', qty: 1 }],
    probability: 0.4 - i * 0.1,
  })),
  blocking: sessions.filter((s): s is string => s !== null),
});

test('queue: cases holding back a receipt of someone who left come first, then the oldest', () => {
  const sessions = [session('s-in', 'inside'), session('s-out', 'exited')];
  const queue = orderQueue(
    [
      reviewCase('old', 100, ['s-in']),
      reviewCase('young-exit', 500, ['s-out', 's-in']),
      reviewCase('mid', 300, ['s-in']),
    ],
    sessions,
  );
  assert.deepEqual(
    queue.map((q) => q.reviewCase.caseId),
    ['young-exit', 'old', 'mid'],
  );
  assert.deepEqual(queue[0]!.waitingSessions, ['s-out']);
  assert.deepEqual(queue[1]!.waitingSessions, []);
  // Same age: a stable order by case id.
  const tie = orderQueue([reviewCase('b', 1, []), reviewCase('a', 1, [])], []);
  assert.deepEqual(
    tie.map((q) => q.reviewCase.caseId),
    ['a', 'b'],
  );
});

test('candidates: probability summed per session over items, most likely first, with the account', () => {
  const c = reviewCase('c', 0, ['s1', 's2', 's1', null]);
  const out = candidatesOf(c, [session('s1', 'inside', 'ava'), session('s2', 'inside', 'ben')]);
  assert.deepEqual(
    out.map((x) => [x.sessionId, x.account, Number(x.probability.toFixed(3))]),
    [
      ['s1', 'ava', 0.6],
      ['s2', 'ben', 0.3],
      [null, null, 0.1],
    ],
  );
});

test('a click decides: an alternative (certain), nobody (stock still moved), or a decision of its own', () => {
  const c = reviewCase('c', 0, ['s1', 's2']);
  const second = choiceFor(c, { alternative: 1 });
  assert.deepEqual(second, { ok: true, choice: { sessionId: 's2', items: [{ sku: 'B', qty: 1 }], probability: 1 } });
  assert.equal(choiceFor(c, { alternative: 2 }).ok, false);
  assert.deepEqual(choiceFor(c, { nobody: true }), {
    ok: true,
    choice: { sessionId: null, items: [{ sku: 'A', qty: 1 }], probability: 1 },
  });
  const own = choiceFor(c, { sessionId: 's1', items: [{ sku: 'A', qty: 2 }] });
  assert.ok(own.ok && own.choice.sessionId === 's1' && own.choice.items[0]!.qty === 2);
  // The decision never aliases the case's own items.
  if (second.ok) second.choice.items[0]!.qty = 9;
  assert.equal(c.alternatives[1]!.items[0]!.qty, 1);
  // Nobody on a merged take: both shares left the shelf, so the plate's stock keeps both gone.
  const merged = reviewCase('m', 0, ['s1']);
  merged.alternatives[0]!.with = [{ sessionId: 's2', items: [{ sku: 'A', qty: 1 }] }];
  assert.deepEqual(choiceFor(merged, { nobody: true }), {
    ok: true,
    choice: {
      sessionId: null,
      items: [
        { sku: 'A', qty: 1 },
        { sku: 'A', qty: 1 },
      ],
      probability: 1,
    },
  });
});

function overlaps(a: { x0: number; y0: number; x1: number; y1: number }, b: typeof a): boolean {
  const eps = 1e-9;
  return a.x0 < b.x1 - eps && b.x0 < a.x1 - eps && a.y0 < b.y1 - eps && b.y0 < a.y1 - eps;
}

test('floor plan: every plate gets its own cell inside its fixture, top shelf on the aisle side', () => {
  const loaded = loadStoreFile(new URL('../examples/kiosk.yaml', import.meta.url).pathname);
  assert.ok(loaded.ok);
  const layout = storeLayout(loaded.value);
  assert.equal(layout.plates.length, loaded.value.plates.size);
  for (const fixture of layout.fixtures) {
    const cells = layout.plates.filter((c) => c.fixtureId === fixture.id);
    for (const c of cells) {
      assert.ok(c.rect.x0 >= fixture.rect.x0 - 1e-9 && c.rect.x1 <= fixture.rect.x1 + 1e-9, c.plateId);
      assert.ok(c.rect.y0 >= fixture.rect.y0 - 1e-9 && c.rect.y1 <= fixture.rect.y1 + 1e-9, c.plateId);
      assert.ok(c.rect.x1 > c.rect.x0 && c.rect.y1 > c.rect.y0, `${c.plateId} has an area`);
    }
    for (let i = 0; i < cells.length; i++) {
      for (let j = i + 1; j < cells.length; j++) {
        assert.ok(!overlaps(cells[i]!.rect, cells[j]!.rect), `${cells[i]!.plateId} / ${cells[j]!.plateId}`);
      }
    }
  }
  // A fixture facing −y: the highest shelf is the strip with the smallest y.
  const plate = (id: string, z: number) => ({
    id,
    box: { min: [0, 0, z] as [number, number, number], max: [1, 0.5, z + 0.05] as [number, number, number] },
    skus: ['A'],
    capacity: [5],
    maxGrams: 20000,
  });
  const fixture: Fixture = {
    id: 'F',
    kind: 'gondola',
    box: { min: [0, 0, 0], max: [1, 0.5, 2] },
    facing: [0, -1],
    shelves: [
      { id: 'low', plates: [plate('low-1', 0.2)] },
      { id: 'high', plates: [plate('high-1', 1.4)] },
    ],
  };
  const [high, low] = ['high-1', 'low-1'].map((id) => plateCells(fixture).find((c) => c.plateId === id)!);
  assert.ok(high!.rect.y0 < low!.rect.y0);
  assert.equal(high!.rect.y0, 0);
  assert.equal(low!.rect.y1, 0.5);
});

const shelfEvent = (id: string, t: number): ShelfEvent => ({
  id,
  fixtureId: 'F',
  shelfId: 'S',
  plateIds: ['P1'],
  gramsByPlate: { P1: 350 },
  grams: 350,
  sigmaGrams: 1,
  tStart: t - 500,
  tChange: t,
  tSettled: t + 200,
  tDecided: t + 1500,
  hypotheses: [],
  flags: [],
});

const logged = (event: Omit<LoggedEvent, 'seq'>, seq = 1) => ({ ...event, seq }) as LoggedEvent;

test('case memory: shelf events, scenes around them, and how long a decision took', () => {
  const memory = new CaseMemory({ maxEvents: 2, trackHistoryMs: 10_000, maxResolved: 10 });
  const point = (t: number, x: number) => ({
    t,
    x,
    y: 1,
    wristSigma: 0.05,
    rightWrist: [x, 1.3, 1] as [number, number, number],
  });
  memory.sampleTracks([{ trackId: 'T1', sessionId: 's1', point: point(9_000, 1) }]);
  memory.sampleTracks([{ trackId: 'T1', sessionId: 's1', point: point(9_000, 5) }]);
  memory.onEvent(logged({ type: 'shelf.event', t: 11_500, data: shelfEvent('E1', 10_000) }), () => [
    { trackId: 'T1', sessionId: 's1', point: point(10_400, 2) },
    { trackId: 'T2', sessionId: null, point: point(10_400, 3) },
  ]);
  assert.equal(memory.shelfEvent('E1')?.plateIds[0], 'P1');
  const scene = memory.scene(9_000, 11_000);
  assert.deepEqual(
    scene.map((p) => [p.trackId, p.samples.map((s) => s.x)]),
    [
      ['T1', [1, 2]],
      ['T2', [3]],
    ],
    'one sample per point time, hands kept',
  );
  assert.deepEqual(scene[0]!.samples[0]!.hands, [[1, 1.3, 1]]);
  assert.deepEqual(
    memory.scene(15_000, 16_000).map((p) => p.trackId),
    ['T1', 'T2'],
    'nearest sample within 5 s',
  );
  assert.deepEqual(memory.scene(30_000, 31_000), [], 'nobody seen near a window long after');

  const opened: ReviewCase = { ...reviewCase('R1', 11_500, ['s1']), shelfEventId: 'E1' };
  memory.onEvent(logged({ type: 'review.opened', t: 11_500, data: opened }));
  const choice = opened.alternatives[0]!;
  memory.onEvent(
    logged({ type: 'review.resolved', t: 20_000, data: { caseId: 'R1', choice, reviewer: 'Sam', t: 20_000 } }),
  );
  assert.deepEqual(
    memory.resolved().map((r) => [r.caseId, r.shelfEventId, r.tookMs, r.reviewer]),
    [['R1', 'E1', 8_500, 'Sam']],
  );
  // Bounded: a third shelf event pushes out the first.
  memory.onEvent(logged({ type: 'shelf.event', t: 0, data: shelfEvent('E2', 12_000) }));
  memory.onEvent(logged({ type: 'shelf.event', t: 0, data: shelfEvent('E3', 13_000) }));
  assert.equal(memory.shelfEvent('E1'), undefined);
  assert.ok(memory.shelfEvent('E3'));
  // Track history older than the window behind the newest sample is forgotten.
  memory.sampleTracks([{ trackId: 'T3', sessionId: null, point: point(40_000, 4) }]);
  assert.deepEqual(
    memory.scene(0, 50_000).map((p) => p.trackId),
    ['T3'],
  );
});

const request = (headers: Record<string, string>) => ({ headers, url: '/staff/live' }) as unknown as FastifyRequest;

test('staff check: cookie or bearer token, never a wrong one; names are cleaned; next stays local', () => {
  assert.deepEqual(staffFromRequest(request({ cookie: 'walkout_staff=tok; walkout_staff_name=Sam%20K' }), 'tok'), {
    name: 'Sam K',
  });
  assert.deepEqual(staffFromRequest(request({ authorization: 'Bearer tok' }), 'tok'), { name: 'staff' });
  assert.equal(staffFromRequest(request({ authorization: 'Bearer tok2' }), 'tok'), null);
  assert.equal(staffFromRequest(request({ cookie: 'walkout_staff=to' }), 'tok'), null);
  assert.equal(staffFromRequest(request({}), 'tok'), null);
  const sneaky = staffFromRequest(request({ cookie: 'walkout_staff=tok; walkout_staff_name=%3Cscript%3E' }), 'tok');
  assert.equal(sneaky?.name, 'script');
  assert.deepEqual(
    [...parseCookies('a=1; b = x%3Dy ;bad')],
    [
      ['a', '1'],
      ['b', 'x=y'],
    ],
  );
  assert.equal(safeNext('/staff/review'), '/staff/review');
  for (const next of ['//evil.example/', 'https://evil.example/', '/staff/login', '/api/staff/store', undefined]) {
    assert.equal(safeNext(next), '/staff/live', String(next));
  }
  assert.equal(escapeHtml(`<a href="x">'&`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;');
  const page = loginPage({ next: '/staff/carts', storeName: '<Shop>', error: 'bad <token>' });
  assert.ok(page.includes('&#60;Shop&#62;') && !page.includes('<Shop>'));
  assert.ok(page.includes('value="/staff/carts"'));
});

test('review view: a case keeps the evidence it opened with after the live buffers forget it', () => {
  const memory = new CaseMemory({ maxEvents: 10, trackHistoryMs: 10_000, maxResolved: 10 });
  const at = (t: number, x: number) => [{ trackId: 'T1', sessionId: 's1', point: { t, x, y: 1, wristSigma: 0.05 } }];
  memory.onEvent(logged({ type: 'shelf.event', t: 11_500, data: shelfEvent('E1', 10_000) }), () => at(10_400, 2));
  const c = { ...reviewCase('R1', 11_500, ['s1']), shelfEventId: 'E1' };
  let readings: Record<string, [number, number][]> = {
    P1: [
      [9_000, 500],
      [10_000, 480],
      [11_000, 480],
    ],
  };
  keepEvidence(c, memory, () => readings);
  // Minutes later: the track history and the plate buffer have both moved on.
  memory.sampleTracks(at(300_000, 7));
  readings = {};
  const snapshot = { t: 300_000, tracks: [], stock: {}, sessions: [session('s1', 'exited')], carts: {}, reviews: [c] };
  const empty = { silentPlates: [], offlineCameras: [], found: [] };
  const [view] = buildReviewQueue({ ...snapshot, ...empty }, memory, () => readings);
  assert.deepEqual(view?.traces.P1?.length, 3, 'the trace it opened with');
  assert.deepEqual(
    view?.scene.map((p) => [p.trackId, p.samples.map((s) => s.x)]),
    [['T1', [2]]],
    'who stood there then',
  );
});

test('review view: a case whose shelf event was never seen still gets its plate trace from the event id', () => {
  assert.deepEqual(parseShelfEventId('KF-s1-p01@1767268814000'), { plateId: 'KF-s1-p01', tChange: 1767268814000 });
  assert.equal(parseShelfEventId('no-time'), null);
  const c = { ...reviewCase('R1', 12_000, ['s1']), shelfEventId: 'P7@10000' };
  const asked: [string[], number, number][] = [];
  const snapshot = {
    t: 20_000,
    tracks: [],
    stock: {},
    sessions: [session('s1', 'exited', 'ava')],
    carts: {},
    reviews: [c],
    silentPlates: [],
    offlineCameras: [],
    found: [],
  };
  const [view] = buildReviewQueue(snapshot, new CaseMemory(), (ids, t0, t1) => {
    asked.push([ids, t0, t1]);
    return { P7: [[10_000, 500]] };
  });
  assert.deepEqual(asked, [[['P7'], 5_000, 15_000]]);
  assert.equal(view?.shelfEvent, null);
  assert.deepEqual(view?.plateIds, ['P7']);
  assert.equal(view?.openForMs, 8_000);
  assert.deepEqual(view?.waitingSessions, ['s1']);
  // Evidence that fails does not take the case down with it.
  const [bare] = buildReviewQueue(snapshot, new CaseMemory(), () => {
    throw new Error('no traces here');
  });
  assert.deepEqual(bare?.traces, {});
});
