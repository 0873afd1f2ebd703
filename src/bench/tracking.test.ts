import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroundTruth, TruthPerson } from '../sim/truth.ts';
import { scoreTracking, TrackSampler, truthAtTicks } from './tracking.ts';

const T0 = 1_700_000_000_000;

/** Walks along x at 1 m/s, sampled at 10 Hz, for `seconds` from `from`. */
function walker(personId: string, from: number, seconds: number, y: number): TruthPerson {
  const path: [number, number, number][] = [];
  for (let i = 0; i <= seconds * 10; i++) path.push([from + i * 100, i / 10, y]);
  return { personId, visit: personId, role: 'shopper', path, wrists: [] };
}

/** Each walker is a one-person visit, inside from `entered` (default: the start of its path) to the end of it. */
function truthOf(people: TruthPerson[], entered: Record<string, number> = {}): GroundTruth {
  const visits = people.map((p) => ({
    visit: p.personId,
    account: p.personId,
    members: [p.personId],
    entryGate: 'door',
    scanned: p.path[0]![0],
    entered: entered[p.personId] ?? p.path[0]![0],
    exited: p.path[p.path.length - 1]![0],
    receipt: [],
    staff: false,
  }));
  return {
    storeId: 's',
    seed: 1,
    start: T0,
    end: T0 + 10_000,
    sampleHz: 10,
    visits,
    interactions: [],
    people,
    hardCases: {},
    faults: [],
  };
}

describe('TrackSampler', () => {
  it('samples once per period of event time, on whole ticks', () => {
    const s = new TrackSampler(1000);
    const due = [Number.NEGATIVE_INFINITY, T0 + 10, T0 + 500, T0 + 1001, T0 + 1002, T0 + 3500].map((t) => s.due(t));
    assert.deepEqual(due, [null, T0, null, T0 + 1000, null, T0 + 3000]);
  });
});

describe('truthAtTicks', () => {
  it('reads each path at the ticks it covers only', () => {
    const [p] = truthAtTicks([walker('a', T0 + 2000, 3, 1)], [T0, T0 + 2000, T0 + 3000, T0 + 9000], 10);
    assert.deepEqual(p!.path, [
      [T0 + 2000, 0, 1],
      [T0 + 3000, 1, 1],
    ]);
  });
});

describe('scoreTracking', () => {
  it('scores tracks that follow people 1.0, and a swap of identities lower', () => {
    const people = [walker('a', T0, 6, 0), walker('b', T0, 6, 3)];
    const follow = (swapAt: number) => {
      const s = new TrackSampler(1000);
      for (let k = 0; k <= 6; k++) {
        const tick = s.due(T0 + k * 1000 + 50)!;
        const swapped = k >= swapAt;
        s.record(tick, [
          { trackId: swapped ? 't2' : 't1', point: { x: k, y: 0 } },
          { trackId: swapped ? 't1' : 't2', point: { x: k, y: 3 } },
        ]);
      }
      return scoreTracking(truthOf(people), s);
    };
    const perfect = follow(99);
    assert.equal(perfect.idf1, 1);
    assert.equal(perfect.mota, 1);
    assert.equal(perfect.identityKeptRate, 1);
    assert.deepEqual(perfect.identityLost, []);
    const swapped = follow(3);
    assert.ok(swapped.idf1! < 1 && swapped.mota! < 1);
    assert.equal(swapped.identityKeptRate, 0);
    // Who lost it, in which visit, and how: where a developer starts tracing the swap.
    assert.deepEqual(
      swapped.identityLost.map((l) => [l.personId, l.visit, l.switches]),
      [
        ['a', 'a', 1],
        ['b', 'b', 1],
      ],
    );
  });

  it('judges identity kept from entry to exit, not on the walk up to the gate', () => {
    // Outside for 3 s (queueing at the scanner, no camera needs to see that), then 6 s inside, tracked throughout.
    const person = walker('a', T0, 9, 0);
    const s = new TrackSampler(1000);
    for (let k = 0; k <= 9; k++) {
      s.record(s.due(T0 + k * 1000)!, k < 3 ? [] : [{ trackId: 't1', point: { x: k, y: 0 } }]);
    }
    assert.equal(scoreTracking(truthOf([person], { a: T0 + 3000 }), s).identityKeptRate, 1);
    // Counted from the scan, the same track covers 7 of 10 ticks: under the 90 % a kept identity needs.
    assert.equal(scoreTracking(truthOf([person]), s).identityKeptRate, 0);
  });

  it("judges a party member who left first on their own time inside, not the party's", () => {
    // a and b came as one party; b walked out at 5 s and a at 10 s. After b left, the track nearest b's path is a
    // passer-by's (t3): that is not b's identity lost.
    const a = walker('a', T0, 10, 0);
    const b = { ...walker('b', T0, 10, 5), visit: 'a' };
    const truth = truthOf([a, b]);
    truth.visits = truth.visits.filter((v) => v.visit === 'a').map((v) => ({ ...v, members: ['a', 'b'] }));
    const s = new TrackSampler(1000);
    for (let k = 0; k <= 10; k++) {
      s.record(s.due(T0 + k * 1000)!, [
        { trackId: 't1', point: { x: k, y: 0 } },
        { trackId: k <= 5 ? 't2' : 't3', point: { x: k, y: 5 } },
      ]);
    }
    assert.equal(scoreTracking(truth, s).identityKeptRate, 0.5);
    b.exited = T0 + 5000;
    assert.equal(scoreTracking(truth, s).identityKeptRate, 1);
  });
});
