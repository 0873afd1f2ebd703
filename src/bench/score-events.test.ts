import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { TruthInteraction, TruthVisit } from '../sim/truth.ts';
import type { ItemCount, ShelfEvent } from '../weight/types.ts';
import { matchShelfEvents, movesWeight } from './match-events.ts';
import { scoreEvents } from './score-events.ts';

function visit(id: string, exited: number, staff = false): TruthVisit {
  return { visit: id, account: id, members: [id], entryGate: 'g', scanned: 0, entered: 0, exited, receipt: [], staff };
}

function act(
  t: number,
  plateId: string,
  sku: string,
  qty: number,
  visit: string | null,
  kind: TruthInteraction['kind'] = 'pick',
): TruthInteraction {
  return { t, kind, personId: `p-${visit}`, visit, plateId, sku, qty };
}

function shelf(id: string, tChange: number, plateIds: string[], items: ItemCount[], alt?: ItemCount[]): EngineEvent {
  const data: ShelfEvent = {
    id,
    fixtureId: 'f',
    shelfId: 's',
    plateIds,
    gramsByPlate: {},
    grams: 0,
    sigmaGrams: 1,
    tStart: tChange - 300,
    tChange,
    tSettled: tChange + 300,
    tDecided: tChange + 500,
    hypotheses: [
      ...(alt ? [{ items: alt, probability: 0.2, residualGrams: 0 }] : []),
      { items, probability: 0.8, residualGrams: 0 },
    ],
    flags: [],
  };
  return { type: 'shelf.event', t: tChange + 500, data };
}

let lineNo = 0;
function line(
  eventId: string,
  sessionId: string,
  sku: string,
  qty: number,
  t: number,
  confidence = 0.9,
  reviewCaseId?: string,
): EngineEvent {
  const data: CartLine = {
    lineId: `l${++lineNo}`,
    sessionId,
    kind: qty > 0 ? 'add' : 'remove',
    sku,
    qty,
    unitPrice: 100,
    evidence: { shelfEventId: eventId, ...(reviewCaseId ? { reviewCaseId } : {}) },
    confidence,
    t,
  };
  return { type: 'cart.line', t, data };
}

function review(caseId: string, shelfEventId: string, blocking: string[], t: number): EngineEvent {
  return {
    type: 'review.opened',
    t,
    data: { caseId, shelfEventId, opened: t, reason: 'close', alternatives: [], blocking },
  };
}

function receiptFinal(visitId: string, t: number): EngineEvent {
  return {
    type: 'receipt.final',
    t,
    data: {
      visit: visitId,
      account: visitId,
      lines: [],
      total: 0,
      currency: 'EUR',
      status: 'final',
      entered: 0,
      exited: t,
      finalAt: t,
    },
  };
}

describe('matchShelfEvents', () => {
  it('matches on the same plate within ±1 s, closest first, and ignores bumps and handoffs', () => {
    const interactions = [
      act(10_000, 'p1', 'cola', 1, 'a'),
      act(10_900, 'p1', 'cola', 1, 'b'),
      act(20_000, 'p2', 'gum', 0, 'a', 'bump'),
      { ...act(30_000, 'p2', 'gum', 1, 'a', 'handoff'), plateId: null },
    ];
    assert.deepEqual(interactions.map(movesWeight), [true, true, false, false]);
    const events = [shelf('e1', 10_050, ['p1'], []), shelf('e2', 11_800, ['p1'], [])].map((e) => e.data as ShelfEvent);
    const m = matchShelfEvents(interactions, events);
    assert.equal(m.byTruth.get(0), 'e1');
    assert.equal(m.byTruth.get(1), 'e2', '900 ms from e2: within the window, and e1 is taken');
    assert.deepEqual(m.expected, [0, 1]);
  });

  it("matches anywhere in a silent plate's touch, whose change time is only a guess", () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a')];
    const silent = { ...(shelf('e1', 17_000, ['p1'], []).data as ShelfEvent), tStart: 9_000, flags: ['silent-plate'] };
    assert.equal(matchShelfEvents(interactions, [silent as ShelfEvent]).byTruth.get(0), 'e1');
    const heard = { ...silent, flags: [] };
    assert.equal(matchShelfEvents(interactions, [heard as ShelfEvent]).byTruth.size, 0);
  });

  it('merges a second interaction into a matched event when no event is left for it', () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a'), act(10_200, 'p1', 'cola', 1, 'b')];
    const m = matchShelfEvents(interactions, [shelf('e1', 10_100, ['p1'], []).data as ShelfEvent]);
    assert.deepEqual(m.byEvent.get('e1'), [0, 1]);
  });

  it('matches a change split onto a neighbouring plate, but not a different plate or a late event', () => {
    const interactions = [
      act(10_000, 'p2', 'cola', 1, 'a'),
      act(20_000, 'p5', 'cola', 1, 'a'),
      act(30_000, 'p1', 'gum', 1, 'a'),
    ];
    const events = [
      shelf('split', 10_000, ['p1', 'p2'], []),
      shelf('other', 20_000, ['p4'], []),
      shelf('late', 31_200, ['p1'], []),
    ].map((e) => e.data as ShelfEvent);
    const m = matchShelfEvents(interactions, events);
    assert.deepEqual([...m.byTruth], [[0, 'split']]);
  });
});

describe('scoreEvents', () => {
  const visits = [visit('a', 100_000), visit('b', 200_000), visit('staff', 300_000, true)];

  it('scores a perfect run 1.0 with latencies from truth time', () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a'), act(50_000, 'p2', 'gum', -1, 'b', 'return')];
    const events = [
      shelf('e1', 10_100, ['p1'], [{ sku: 'cola', qty: 1 }]),
      line('e1', 'a', 'cola', 1, 10_800, 0.95),
      shelf('e2', 50_000, ['p2'], [{ sku: 'gum', qty: -1 }]),
      line('e2', 'b', 'gum', -1, 51_000, 0.9),
      receiptFinal('a', 102_000),
      receiptFinal('b', 205_000),
    ];
    const s = scoreEvents({ visits, interactions, events });
    assert.equal(s.precision, 1);
    assert.equal(s.recall, 1);
    assert.equal(s.weightIdentityAccuracy, 1);
    assert.equal(s.attributionAccuracy, 1);
    assert.deepEqual(s.shelfToCartMs, [800, 1000]);
    assert.deepEqual(s.exitToReceiptMs, [2000, 5000]);
    assert.deepEqual(s.calibration, [
      { confidence: 0.95, correct: true },
      { confidence: 0.9, correct: true },
    ]);
    assert.equal(s.reviewEventsPer1000, 0);
  });

  it('counts missed interactions, phantom events, wrong items and wrong shoppers', () => {
    const interactions = [
      act(10_000, 'p1', 'cola', 1, 'a'),
      act(20_000, 'p1', 'cola', 2, 'a'),
      act(30_000, 'p3', 'chips', 1, 'b'),
    ];
    const events = [
      shelf('right-item-wrong-shopper', 10_000, ['p1'], [{ sku: 'cola', qty: 1 }]),
      line('right-item-wrong-shopper', 'b', 'cola', 1, 10_500, 0.6),
      shelf('wrong-qty', 20_000, ['p1'], [{ sku: 'cola', qty: 1 }]),
      line('wrong-qty', 'a', 'cola', 1, 20_500, 0.7),
      shelf('phantom', 40_000, ['p9'], [{ sku: 'gum', qty: 1 }]),
      line('phantom', 'a', 'gum', 1, 40_500, 0.8),
    ];
    const s = scoreEvents({ visits, interactions, events });
    assert.equal(s.precision, 2 / 3);
    assert.equal(s.recall, 2 / 3);
    assert.equal(s.weightIdentityAccuracy, 1 / 2);
    assert.equal(s.attributionAccuracy, 1 / 2, 'wrong-qty went to the right shopper');
    assert.deepEqual(
      s.calibration.map((c) => c.correct),
      [false, false, false],
    );
  });

  it('takes the most probable hypothesis, not the first listed', () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a')];
    const events = [shelf('e1', 10_000, ['p1'], [{ sku: 'cola', qty: 1 }], [{ sku: 'gum', qty: 2 }])];
    assert.equal(scoreEvents({ visits, interactions, events }).weightIdentityAccuracy, 1);
  });

  it('scores a staff restock as right only when no shopper is charged', () => {
    const restock = { ...act(10_000, 'p1', 'cola', -6, null, 'restock'), personId: 'staff' };
    const sessionOpened: EngineEvent = {
      type: 'session.opened',
      t: 0,
      data: {
        sessionId: 'staff',
        account: 'staff',
        partySize: 1,
        gateId: 'g',
        opened: 0,
        state: 'admitted',
        trackIds: [],
        staff: true,
      },
    };
    const chargedStaff = scoreEvents({
      visits,
      interactions: [restock],
      events: [
        sessionOpened,
        shelf('e1', 10_000, ['p1'], [{ sku: 'cola', qty: -6 }]),
        line('e1', 'staff', 'cola', -6, 10_500),
      ],
    });
    assert.equal(chargedStaff.attributionAccuracy, 1, 'a line on the staff session charges no shopper');
    const chargedShopper = scoreEvents({
      visits,
      interactions: [restock],
      events: [shelf('e1', 10_000, ['p1'], [{ sku: 'cola', qty: -6 }]), line('e1', 'a', 'cola', -6, 10_500)],
    });
    assert.equal(chargedShopper.attributionAccuracy, 0);
  });

  it('keeps reviewed events out of attribution and counts review per 1,000', () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a'), act(20_000, 'p2', 'gum', 1, 'b')];
    const events = [
      shelf('e1', 10_000, ['p1'], [{ sku: 'cola', qty: 1 }]),
      line('e1', 'a', 'cola', 1, 10_500),
      shelf('e2', 20_000, ['p2'], [{ sku: 'gum', qty: 1 }]),
      review('c1', 'e2', ['a', 'b'], 20_600),
      line('e2', 'b', 'gum', 1, 90_000, 1, 'c1'),
    ];
    const s = scoreEvents({ visits, interactions, events });
    assert.equal(s.decidedMatched, 1);
    assert.equal(s.attributionAccuracy, 1);
    assert.equal(s.reviewedEvents, 1);
    assert.equal(s.reviewEventsPer1000, 500);
    assert.equal(s.reviewVisitsPer1000, 1000, 'both shopper visits wait on the case');
    assert.deepEqual(s.shelfToCartMs, [500], 'the reviewer line does not count as automatic latency');
    assert.equal(s.calibration.length, 1);
  });

  it('a reviewed event with a confidence gives a calibration pair judged on its top alternative', () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a'), act(20_000, 'p2', 'gum', 1, 'b')];
    const opened = (caseId: string, shelfEventId: string, sessionId: string, t: number): EngineEvent => {
      const alternatives = [
        { sessionId, items: [{ sku: shelfEventId === 'e1' ? 'cola' : 'gum', qty: 1 }], probability: 0.7 },
      ];
      return {
        type: 'review.opened',
        t,
        data: {
          caseId,
          shelfEventId,
          opened: t,
          reason: 'close',
          alternatives,
          confidence: 0.7,
          blocking: [sessionId],
        },
      };
    };
    const events = [
      shelf('e1', 10_000, ['p1'], [{ sku: 'cola', qty: 1 }]),
      opened('c1', 'e1', 'a', 10_600),
      shelf('e2', 20_000, ['p2'], [{ sku: 'gum', qty: 1 }]),
      opened('c2', 'e2', 'a', 20_600),
    ];
    const s = scoreEvents({ visits, interactions, events });
    assert.deepEqual(s.calibration, [
      { confidence: 0.7, correct: true, reviewed: true },
      { confidence: 0.7, correct: false, reviewed: true },
    ]);
    assert.deepEqual(s.reviewKinds, { who: 0, what: 2, merged: 0, topRight: 1 });
  });

  it('a reviewed merged take is right when it charges both shoppers their part', () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a'), act(10_100, 'p1', 'cola', 1, 'b')];
    const merged = {
      sessionId: 'a',
      items: [{ sku: 'cola', qty: 1 }],
      with: [{ sessionId: 'b', items: [{ sku: 'cola', qty: 1 }] }],
      probability: 0.85,
    };
    const events: EngineEvent[] = [
      shelf('e1', 10_050, ['p1'], [{ sku: 'cola', qty: 2 }]),
      {
        type: 'review.opened',
        t: 11_000,
        data: {
          caseId: 'c1',
          shelfEventId: 'e1',
          opened: 11_000,
          reason: 'close',
          alternatives: [merged],
          confidence: 0.85,
          blocking: ['a', 'b'],
        },
      },
    ];
    const s = scoreEvents({ visits, interactions, events });
    assert.deepEqual(s.calibration, [{ confidence: 0.85, correct: true, reviewed: true }]);
    assert.deepEqual(s.reviewKinds, { who: 0, what: 0, merged: 1, topRight: 1 });
  });

  it('sorts review cases by their doubt: another shopper, another item, or a merged take', () => {
    const alt = (sessionId: string, sku: string, withOther?: string) => ({
      sessionId,
      items: [{ sku, qty: 1 }],
      probability: 0.4,
      ...(withOther ? { with: [{ sessionId: withOther, items: [{ sku, qty: 1 }] }] } : {}),
    });
    const opened = (caseId: string, alternatives: ReturnType<typeof alt>[]): EngineEvent => ({
      type: 'review.opened',
      t: 1,
      data: { caseId, shelfEventId: caseId, opened: 1, reason: 'close', alternatives, confidence: 0.4, blocking: [] },
    });
    const events = [
      opened('who', [alt('a', 'cola'), alt('b', 'cola')]),
      opened('what', [alt('a', 'cola'), alt('a', 'gum')]),
      opened('merged', [alt('a', 'cola', 'b'), alt('a', 'cola')]),
      opened('merged', [alt('a', 'cola', 'b'), alt('a', 'cola')]),
    ];
    const s = scoreEvents({ visits, interactions: [], events });
    assert.deepEqual(s.reviewKinds, { who: 1, what: 1, merged: 1, topRight: 0 });
  });

  it('credits a merged same-plate race when both shoppers are charged', () => {
    const interactions = [act(10_000, 'p1', 'cola', 1, 'a'), act(10_100, 'p1', 'cola', 1, 'b')];
    const events = [
      shelf('e1', 10_050, ['p1'], [{ sku: 'cola', qty: 2 }]),
      line('e1', 'a', 'cola', 1, 10_600),
      line('e1', 'b', 'cola', 1, 10_600),
    ];
    const s = scoreEvents({ visits, interactions, events });
    assert.equal(s.recall, 1);
    assert.equal(s.weightIdentityAccuracy, 1);
    assert.equal(s.attributionAccuracy, 1);
    assert.deepEqual(s.calibration, [{ confidence: 0.9, correct: true }]);
  });
});
