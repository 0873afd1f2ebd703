import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FusionConfig, fusionConfig } from '../fusion/config.ts';
import { reach } from '../fusion/test-fixtures.ts';
import { createDemoAuthorizer, demoEntryCode } from '../identity/demo-authorizer.ts';
import { SessionBook } from '../identity/session-book.ts';
import { parseStore } from '../store/load-store.ts';
import type { StoreDef } from '../store/schema.ts';
import { tinyStoreDef } from '../store/tiny-store.ts';
import type { TrackQuery } from '../vision/types.ts';
import type { ShelfEvent } from '../weight/types.ts';
import type { EngineEvent } from './events.ts';
import { PlateStock } from './plate-stock.ts';
import { ShelfDecisions } from './shelf-decisions.ts';

const T0 = 1_767_600_000_000;

/** The tiny store with a second plate beside the water: soda (near-equal unit weight). */
function twoPlateStore(mode: 'single-shopper' | 'multi-shopper' = 'single-shopper') {
  const def = tinyStoreDef();
  const shelf = def.fixtures[0]!.shelves[0]!;
  const plates = [
    ...shelf.plates,
    { id: 'g1.s1.p2', box: { min: [1.5, 1, 1], max: [2, 1.5, 1.02] }, skus: ['SODA'], capacity: [10] },
  ];
  const products = [...def.products, { sku: 'SODA', name: 'Soda', price: 149, unitWeight: { mean: 515, sd: 5 } }];
  const fixtures = [{ ...def.fixtures[0]!, shelves: [{ ...shelf, plates }] }];
  // Parsed like a YAML file: the schema fills its defaults (maxGrams, ageRestricted).
  const store = parseStore({ ...def, products, fixtures, mode } as unknown as StoreDef);
  assert.ok(store.ok, store.ok ? '' : store.reason);
  return store.value;
}

/** One soda that rested mostly on the water plate: most grams left g1.s1.p1, the unit came off g1.s1.p2. */
function straddlingPick(): ShelfEvent {
  return {
    id: `g1.s1.p1@${T0}`,
    fixtureId: 'g1',
    shelfId: 'g1.s1',
    plateIds: ['g1.s1.p1', 'g1.s1.p2'],
    gramsByPlate: { 'g1.s1.p1': 300, 'g1.s1.p2': 215 },
    grams: 515,
    sigmaGrams: 1,
    tStart: T0 - 300,
    tChange: T0,
    tSettled: T0 + 400,
    tDecided: T0 + 600,
    hypotheses: [{ items: [{ sku: 'SODA', qty: 1 }], probability: 0.99, residualGrams: 0 }],
    flags: ['split-plates'],
  };
}

function decisions(commitThreshold: number, vision: TrackQuery | null = null, fusion: Partial<FusionConfig> = {}) {
  const store = twoPlateStore(vision ? 'multi-shopper' : 'single-shopper');
  const events: EngineEvent[] = [];
  const stock = new PlateStock(store);
  const sessions = new SessionBook(createDemoAuthorizer(), (e) => events.push(e), {
    bindWindowMs: 20_000,
    tracked: true,
  });
  const shelf = new ShelfDecisions({
    store,
    vision,
    sessions,
    stock,
    emit: (e) => events.push(e),
    policy: 'walkout',
    fusion: fusionConfig({ commitThreshold, ...fusion }),
  });
  return { shelf, stock, events, sessions, store };
}

test('a pick spanning two plates comes off the plate that holds the SKU, not the one with most grams', () => {
  const { shelf, stock } = decisions(0.5);
  shelf.onShelfEvent(straddlingPick());
  assert.equal(stock.of('g1.s1.p2').get('SODA'), 9);
  assert.equal(stock.of('g1.s1.p1').get('WATER'), 10);
  assert.equal(stock.of('g1.s1.p1').get('SODA'), undefined);
});

test('a decision that charges nobody is logged with the items it moved the stock by', () => {
  // Nobody inside [F11]: whatever left the plate is charged to no one, but the log says what it was.
  const { shelf, stock, events } = decisions(0.5);
  shelf.onShelfEvent(straddlingPick());
  const logged = events.map((e) => e.type);
  assert.deepEqual(logged, ['shelf.event', 'shelf.decided']);
  const decided = events[1];
  assert.ok(decided?.type === 'shelf.decided');
  assert.deepEqual([decided.data.sessionId, decided.data.items], [null, [{ sku: 'SODA', qty: 1 }]]);
  assert.equal(stock.of('g1.s1.p2').get('SODA'), 9);
});

test('a review resolution undoes the stock moves made when the case opened, plate by plate', () => {
  const { shelf, stock, events } = decisions(1.01);
  shelf.onShelfEvent(straddlingPick());
  assert.equal(stock.of('g1.s1.p2').get('SODA'), 9, 'the top alternative moved the stock while the case is open');
  const opened = events.find((e) => e.type === 'review.opened');
  assert.ok(opened && opened.type === 'review.opened');
  const outcome = shelf.resolve(
    opened.data.caseId,
    { sessionId: null, items: [{ sku: 'WATER', qty: 1 }], probability: 1 },
    'test',
    T0 + 5000,
  );
  assert.ok(outcome.ok);
  assert.equal(stock.of('g1.s1.p2').get('SODA'), 10);
  assert.equal(stock.of('g1.s1.p1').get('WATER'), 9);
});

/** Ann (track T1) and Bob (T2) scanned in and crossed the door; their session ids. */
function annAndBobInside(sessions: SessionBook) {
  for (const [who, track, t] of [
    ['ann', 'T1', T0 - 20_000],
    ['bob', 'T2', T0 - 15_000],
  ] as const) {
    sessions.scan('door', demoEntryCode(who, 1), t);
    sessions.crossing(track, 'door', 'in', t + 1_000);
  }
  return { ann: sessions.sessionOfTrack('T1')!.sessionId, bob: sessions.sessionOfTrack('T2')!.sessionId };
}

test('[F8] an item handed over: once the giver pick lands, it leaves their cart for the receiver', () => {
  const { shelf, sessions, events } = decisions(1.01);
  const { ann, bob } = annAndBobInside(sessions);
  // Two shoppers inside a single-shopper store: the pick is reviewed, and the reviewer charges Ann.
  shelf.onShelfEvent(straddlingPick());
  const opened = events.find((e) => e.type === 'review.opened');
  assert.ok(opened && opened.type === 'review.opened');
  shelf.resolve(
    opened.data.caseId,
    { sessionId: ann, items: [{ sku: 'SODA', qty: 1 }], probability: 1 },
    'test',
    T0 + 2000,
  );
  shelf.onHandMeet({ trackIds: ['T1', 'T2'], tStart: T0 + 4_000, t: T0 + 4_200, at: [1, 1] });
  shelf.advance(T0 + 5_000);
  assert.equal(events.filter((e) => e.type === 'handoff').length, 0, 'decided only after the settle time');
  shelf.advance(T0 + 8_000);
  const handoff = events.find((e) => e.type === 'handoff');
  assert.ok(handoff && handoff.type === 'handoff');
  assert.deepEqual([handoff.data.fromSessionId, handoff.data.toSessionId, handoff.data.sku], [ann, bob, 'SODA']);
  const carts = shelf.carts();
  assert.equal(carts[ann]!.total, 0);
  assert.equal(carts[bob]!.total, 149);
  const moved = carts[bob]!.lines[0]!;
  assert.equal(moved.evidence.handoffId, handoff.data.handoffId);
  // Meeting again moves nothing more: Ann's latest pick has already been handed over.
  shelf.onHandMeet({ trackIds: ['T1', 'T2'], tStart: T0 + 20_000, t: T0 + 20_200, at: [1, 1] });
  shelf.flush();
  assert.equal(events.filter((e) => e.type === 'handoff').length, 1);
});

/** A pick sent to review (threshold above 1) and resolved at `resolvedAt` as one unit of `sku` for `sessionId`. */
function reviewedPick(
  d: Pick<ReturnType<typeof decisions>, 'shelf' | 'events'>,
  event: ShelfEvent,
  sessionId: string,
  sku: string,
  resolvedAt: number,
) {
  d.shelf.onShelfEvent(event);
  const opened = d.events.filter((e) => e.type === 'review.opened').at(-1);
  assert.ok(opened && opened.type === 'review.opened');
  const choice = { sessionId, items: [{ sku, qty: 1 }], probability: 1 };
  assert.ok(d.shelf.resolve(opened.data.caseId, choice, 'test', resolvedAt).ok);
}

test('[F8] a pick landing between the meeting and its decision does not hide the one that was handed over', () => {
  const d = decisions(1.01);
  const { shelf, events } = d;
  const { ann, bob } = annAndBobInside(d.sessions);
  reviewedPick(d, straddlingPick(), ann, 'SODA', T0 + 2000);
  shelf.onHandMeet({ trackIds: ['T1', 'T2'], tStart: T0 + 4_000, t: T0 + 4_200, at: [1, 1] });
  // Ann takes a water a second after the hands met, before the meeting is decided.
  reviewedPick(d, pickAt('g1.s1.p1', 'WATER', T0 + 5_200), ann, 'WATER', T0 + 6_000);
  shelf.advance(T0 + 8_000);
  const handoff = events.find((e) => e.type === 'handoff');
  assert.ok(handoff && handoff.type === 'handoff');
  assert.deepEqual([handoff.data.fromSessionId, handoff.data.toSessionId, handoff.data.sku], [ann, bob, 'SODA']);
});

/** One unit of `sku` lifted off one plate at t. */
function pickAt(plateId: string, sku: string, t: number): ShelfEvent {
  return {
    ...straddlingPick(),
    id: `${plateId}@${t}`,
    plateIds: [plateId],
    gramsByPlate: { [plateId]: 515 },
    tStart: t - 300,
    tChange: t,
    tSettled: t + 400,
    tDecided: t + 600,
    hypotheses: [{ items: [{ sku, qty: 1 }], probability: 0.99, residualGrams: 0 }],
    flags: [],
  };
}

test('[F8] both just picked: the item handed over is the one picked nearer where the hands met', () => {
  for (const [metAt, giver, sku] of [
    ['g1.s1.p2', 'ann', 'SODA'],
    ['g1.s1.p1', 'bob', 'WATER'],
  ] as const) {
    const d = decisions(1.01);
    const { shelf, events, store } = d;
    const ids = annAndBobInside(d.sessions);
    // Ann took a soda off p2, Bob a water off p1 a second later; reviewers confirmed both.
    for (const [who, plateId, item, t] of [
      ['ann', 'g1.s1.p2', 'SODA', T0],
      ['bob', 'g1.s1.p1', 'WATER', T0 + 1_000],
    ] as const) {
      reviewedPick(d, pickAt(plateId, item, t), ids[who], item, t + 1_500);
    }
    // Their hands met in front of one of the two plates.
    const box = store.plates.get(metAt)!.reachBox;
    const at: [number, number] = [(box.min[0] + box.max[0]) / 2, (box.min[1] + box.max[1]) / 2];
    shelf.onHandMeet({ trackIds: ['T1', 'T2'], tStart: T0 + 4_000, t: T0 + 4_200, at });
    shelf.flush();
    const handoff = events.find((e) => e.type === 'handoff');
    assert.ok(handoff && handoff.type === 'handoff', `met at ${metAt}`);
    const receiver = giver === 'ann' ? 'bob' : 'ann';
    assert.deepEqual(
      [handoff.data.fromSessionId, handoff.data.toSessionId, handoff.data.sku],
      [ids[giver], ids[receiver], sku],
    );
  }
});

test('[F16] a reviewer sharing a merged take charges both shoppers their part and moves all the units', () => {
  const { shelf, sessions, events, stock } = decisions(1.01);
  const { ann, bob } = annAndBobInside(sessions);
  shelf.onShelfEvent({
    ...straddlingPick(),
    grams: 1030,
    hypotheses: [{ items: [{ sku: 'SODA', qty: 2 }], probability: 0.99, residualGrams: 0 }],
  });
  const opened = events.find((e) => e.type === 'review.opened');
  assert.ok(opened && opened.type === 'review.opened');
  const split = {
    sessionId: ann,
    items: [{ sku: 'SODA', qty: 1 }],
    with: [{ sessionId: bob, items: [{ sku: 'SODA', qty: 1 }] }],
    probability: 1,
  };
  assert.ok(shelf.resolve(opened.data.caseId, split, 'test', T0 + 2000).ok);
  assert.equal(stock.of('g1.s1.p2').get('SODA'), 8);
  const carts = shelf.carts();
  assert.deepEqual([carts[ann]!.total, carts[bob]!.total], [149, 149]);
});

test("a reviewer's answer naming a shopper whose receipt is already final is marked as after it", () => {
  const { shelf, sessions, events } = decisions(1.01);
  const { bob } = annAndBobInside(sessions);
  shelf.onShelfEvent(pickAt('g1.s1.p2', 'SODA', T0));
  const opened = events.find((e) => e.type === 'review.opened');
  assert.ok(opened && opened.type === 'review.opened');
  // Bob walked out and his receipt went final before the reviewer answered.
  sessions.crossing('T2', 'door', 'out', T0 + 5_000);
  sessions.markClosed(bob);
  const choice = { sessionId: bob, items: [{ sku: 'SODA', qty: 1 }], probability: 1 };
  assert.ok(shelf.resolve(opened.data.caseId, choice, 'test', T0 + 60_000).ok);
  const lines = events.flatMap((e) => (e.type === 'cart.line' ? [[e.data.sessionId, e.data.afterFinal]] : []));
  assert.deepEqual(lines, [[bob, true]]);
  assert.deepEqual(shelf.holding('SODA'), [], 'no receipt charged Bob the soda, so a find cannot refund it');
});

/** Ann took a water and a soda; 517 g came back onto the water plate: her water, or her soda left there. */
function putBackInReview() {
  const d = decisions(1.01);
  const { ann } = annAndBobInside(d.sessions);
  // Both picks reviewed (two shoppers inside a single-shopper store) and charged to Ann.
  for (const [plateId, sku, t] of [
    ['g1.s1.p1', 'WATER', T0],
    ['g1.s1.p2', 'SODA', T0 + 1_000],
  ] as const) {
    reviewedPick(d, pickAt(plateId, sku, t), ann, sku, t + 1_500);
  }
  const back: ShelfEvent = {
    ...pickAt('g1.s1.p1', 'WATER', T0 + 60_000),
    gramsByPlate: { 'g1.s1.p1': -517 },
    grams: -517,
    hypotheses: [
      { items: [{ sku: 'WATER', qty: -1 }], probability: 0.55, residualGrams: -3 },
      { items: [{ sku: 'SODA', qty: -1 }], probability: 0.45, residualGrams: 2 },
    ],
  };
  d.shelf.onShelfEvent(back);
  const opened = d.events.filter((e) => e.type === 'review.opened').at(-1);
  assert.ok(opened && opened.type === 'review.opened' && opened.data.shelfEventId === back.id);
  const answer = (sku: string) => opened.data.alternatives.find((a) => a.items.some((i) => i.sku === sku))!;
  return { ...d, ann, opened: opened.data, answer };
}

test('[F7] a put-back in review leaves each likely answer on the plate until the reviewer says which', () => {
  const { shelf, stock, opened, answer } = putBackInReview();
  // Water is the top answer; the soda may be there too, so a later pick of it is proposed from this plate.
  assert.deepEqual(opened.maybeOnPlate, [{ sku: 'SODA', qty: -1 }]);
  assert.equal(stock.of('g1.s1.p1').get('WATER'), 10);
  assert.equal(stock.of('g1.s1.p1').get('SODA'), 1);
  assert.equal(stock.of('g1.s1.p2').get('SODA'), 9);
  // The reviewer says water: the soda was never there.
  assert.ok(shelf.resolve(opened.caseId, answer('WATER'), 't', T0 + 90_000).ok);
  assert.equal(stock.of('g1.s1.p1').get('WATER'), 10);
  assert.equal(stock.of('g1.s1.p1').get('SODA'), 0);
});

test('[F7] a misplaced unit picked while its put-back was in review does not come back when the reviewer confirms it', () => {
  const { shelf, stock, opened, answer, events } = putBackInReview();
  // Someone takes the soda off the water plate before the reviewer looks.
  shelf.onShelfEvent(pickAt('g1.s1.p1', 'SODA', T0 + 70_000));
  const pickCase = events.filter((e) => e.type === 'review.opened').at(-1);
  assert.ok(pickCase && pickCase.type === 'review.opened' && pickCase.data.caseId !== opened.caseId);
  assert.equal(stock.of('g1.s1.p1').get('SODA'), 0);
  // The reviewer says it was the soda: it came back and left again; the water never came back.
  assert.ok(shelf.resolve(opened.caseId, answer('SODA'), 't', T0 + 90_000).ok);
  assert.equal(stock.of('g1.s1.p1').get('SODA'), 0);
  assert.equal(stock.of('g1.s1.p1').get('WATER'), 9);
});

/** Cameras that saw each track's hand reach into a plate, well in, as the weight changed at each of `reaches`' times. */
function handsAt(reaches: Record<string, number[]>): TrackQuery {
  const reachAt = (trackId: string, tChange: number) => reach(trackId, { tClosest: tChange - 1150 });
  return {
    activeTracks: () => [],
    camerasDegraded: () => false,
    handsNear: (_box, t0, t1) =>
      Object.entries(reaches).flatMap(([trackId, times]) =>
        times.filter((t) => t >= t0 && t <= t1).map((t) => reachAt(trackId, t)),
      ),
  };
}

test('[F18] a race between two hands waits for the next event: the hand that lifted there is not this one', () => {
  // Ann and Bob both reach into the water plate; two seconds later Ann alone takes a soda next to it.
  const d = decisions(0.9, handsAt({ T1: [T0, T0 + 2_000], T2: [T0] }), { reliftWithinMs: 2_500 });
  const { ann, bob } = annAndBobInside(d.sessions);
  d.shelf.onShelfEvent(pickAt('g1.s1.p1', 'WATER', T0));
  const decided = () => d.events.filter((e) => ['shelf.event', 'cart.line', 'review.opened'].includes(e.type));
  assert.equal(decided().length, 0, 'nothing is logged while the race waits');
  assert.ok(d.shelf.blocks(ann) && d.shelf.blocks(bob), 'both receipts wait while the race is undecided');
  assert.equal(d.stock.of('g1.s1.p1').get('WATER'), 9, 'the plate already lost its water');
  assert.equal(d.shelf.loggedStock()['g1.s1.p1']?.WATER, 10, 'but not as the log tells it yet');
  d.shelf.onShelfEvent(pickAt('g1.s1.p2', 'SODA', T0 + 2_000));
  d.shelf.advance(T0 + 600 + 2_500);
  // Each shelf event is logged when decided, right before its lines (the inventory reads them as one decision).
  const log = decided().map((e) =>
    e.type === 'cart.line' ? [e.type, e.data.sessionId, e.data.sku, e.t] : [e.type, (e.data as ShelfEvent).id, e.t],
  );
  assert.deepEqual(log, [
    ['shelf.event', `g1.s1.p2@${T0 + 2_000}`, T0 + 2_600],
    ['cart.line', ann, 'SODA', T0 + 2_600],
    ['shelf.event', `g1.s1.p1@${T0}`, T0 + 3_100],
    ['cart.line', bob, 'WATER', T0 + 3_100],
  ]);
  assert.ok(!d.shelf.blocks(ann) && !d.shelf.blocks(bob));
  assert.equal(d.stock.of('g1.s1.p1').get('WATER'), 9, 'moved once');
  assert.equal(d.shelf.loggedStock()['g1.s1.p1']?.WATER, 9);
});

test('[F18] a race nothing after it settles opens its review case once the wait is over', () => {
  const d = decisions(0.9, handsAt({ T1: [T0], T2: [T0] }), { reliftWithinMs: 2_500 });
  annAndBobInside(d.sessions);
  d.shelf.onShelfEvent(pickAt('g1.s1.p1', 'WATER', T0));
  d.shelf.advance(T0 + 3_000);
  assert.equal(d.events.filter((e) => e.type === 'review.opened').length, 0);
  d.shelf.advance(T0 + 3_100);
  const opened = d.events.filter((e) => e.type === 'review.opened');
  assert.equal(opened.length, 1);
  assert.equal(opened[0]!.t, T0 + 3_100);
});

test('[F18] hands that met while a race between them waits hand nothing over on a guess', () => {
  // Ann took a soda alone; then Ann and Bob race at the water, their hands meeting just after it.
  const d = decisions(0.9, handsAt({ T1: [T0 - 20_000, T0], T2: [T0] }), { reliftWithinMs: 2_500 });
  const { ann } = annAndBobInside(d.sessions);
  d.shelf.onShelfEvent(pickAt('g1.s1.p2', 'SODA', T0 - 20_000));
  assert.equal(d.shelf.carts()[ann]?.total, 149);
  d.shelf.onShelfEvent(pickAt('g1.s1.p1', 'WATER', T0));
  d.shelf.onHandMeet({ trackIds: ['T1', 'T2'], tStart: T0, t: T0 + 50, at: [1, 1] });
  d.shelf.flush();
  // The water may be what passed between them: the meeting is no handoff of Ann's soda.
  assert.equal(d.events.filter((e) => e.type === 'handoff').length, 0);
  assert.equal(d.events.filter((e) => e.type === 'review.opened').length, 1);
});

test('[F18] a race due before a later event is decided first: the log keeps event time in order', () => {
  const d = decisions(0.9, handsAt({ T1: [T0, T0 + 3_000], T2: [T0] }), { reliftWithinMs: 2_500 });
  annAndBobInside(d.sessions);
  d.shelf.onShelfEvent(pickAt('g1.s1.p1', 'WATER', T0));
  d.shelf.onShelfEvent(pickAt('g1.s1.p2', 'SODA', T0 + 3_000));
  const times = d.events.filter((e) => e.type !== 'session.opened' && e.type !== 'session.bound').map((e) => e.t);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
  );
  assert.equal(d.events.find((e) => e.type === 'review.opened')?.t, T0 + 3_100);
});

test('[F18] a meeting that falls due while a race waits is decided then, not after the race', () => {
  // Ann took a soda alone; Ann and Bob race at the water, their hands meet 50 ms later, and Ann alone takes another
  // soda two seconds on, which settles the race for Bob, but only after the meeting fell due.
  const d = decisions(0.9, handsAt({ T1: [T0 - 20_000, T0, T0 + 2_000], T2: [T0] }), { reliftWithinMs: 2_500 });
  const { bob } = annAndBobInside(d.sessions);
  d.shelf.onShelfEvent(pickAt('g1.s1.p2', 'SODA', T0 - 20_000));
  d.shelf.onShelfEvent(pickAt('g1.s1.p1', 'WATER', T0));
  d.shelf.onHandMeet({ trackIds: ['T1', 'T2'], tStart: T0, t: T0 + 50, at: [1, 1] });
  d.shelf.onShelfEvent(pickAt('g1.s1.p2', 'SODA', T0 + 2_000));
  d.shelf.flush();
  assert.equal(d.events.filter((e) => e.type === 'handoff').length, 0, 'when it fell due, who took the water was open');
  assert.equal(d.shelf.carts()[bob]?.lines[0]?.sku, 'WATER');
});
