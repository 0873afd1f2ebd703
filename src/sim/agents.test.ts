/**
 * Leaving through an exit gate: shoppers who reach the gate together queue and cross one after another, keeping
 * personal space, instead of circling its mouth (two or four leavers pushed apart evenly used to orbit it forever).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordedMessage } from '../protocol/recording.ts';
import { loadStoreFile } from '../store/load-store.ts';
import type { Store } from '../store/store.ts';
import { gateFrame, stepPerson } from './agents.ts';
import { stillBody } from './plan.ts';
import { keepApart, MIN_GAP } from './spacing.ts';
import { testWorld } from './test-world.ts';
import type { Party, Person } from './world.ts';

function store(name: string): Store {
  const r = loadStoreFile(new URL(`../../examples/${name}.yaml`, import.meta.url).pathname);
  assert.ok(r.ok);
  return r.value;
}

/** A shopper done with their agenda, standing at `at`: their next step starts the walk to `exitGate`. */
function doneShopper(id: string, exitGate: string, at: [number, number]): Person {
  const party: Party = {
    visit: null,
    account: id,
    staff: false,
    members: [],
    entryGate: exitGate,
    exitGate,
    arrive: 0,
    scanTs: null,
    dwell: 0,
  };
  const p: Person = {
    id,
    role: 'shopper',
    party,
    child: false,
    height: 1.72,
    speed: 1.15,
    x: at[0],
    y: at[1],
    phase: 0,
    state: 'inside',
    ...stillBody(),
  };
  party.members.push(p);
  return p;
}

/**
 * Steps everyone (100 ms steps, as the main loop) until all are gone or `limitMs` passes; returns when each went
 * out through the gate and the closest two shoppers came on the shop floor.
 */
function leaveTogether(s: Store, gateId: string, starts: [number, number][], limitMs: number, standing?: Person) {
  const emitted: RecordedMessage[] = [];
  const w = testWorld(s, { emit: (m) => emitted.push(m) });
  w.people = starts.map((at, i) => doneShopper(`p-${i + 1}`, gateId, at));
  if (standing) w.people.push(standing);
  const leavers = w.people.filter((p) => p !== standing);
  let closest = Number.POSITIVE_INFINITY;
  let t = 0;
  for (; t < limitMs && leavers.some((p) => p.state !== 'gone'); t += 100) {
    for (const p of w.people) stepPerson(w, p, t, 0.1);
    keepApart(w);
    const floor = w.people.filter((p) => p.state === 'inside' || p.state === 'leaving');
    for (let i = 0; i < floor.length; i++) {
      for (let j = i + 1; j < floor.length; j++) {
        closest = Math.min(closest, Math.hypot(floor[i]!.x - floor[j]!.x, floor[i]!.y - floor[j]!.y));
      }
    }
  }
  const outs = emitted
    .filter((m) => m.topic.includes(gateId) && (m.payload as { direction?: string }).direction === 'out')
    .map((m) => (m.payload as { ts: number }).ts)
    .sort((a, b) => a - b);
  return { gone: leavers.filter((p) => p.state === 'gone').length, outs, closest, tookMs: t };
}

/** Points `r` from the gate's mouth (where leavers step into its lane) at the given angles from straight in. */
function around(s: Store, gateId: string, r: number, degrees: number[]): [number, number][] {
  const { mid, inward, along } = gateFrame(s.gates.get(gateId)!);
  const mouth = [mid[0] + inward[0] * 0.7, mid[1] + inward[1] * 0.7];
  return degrees.map((deg) => {
    const a = (deg * Math.PI) / 180;
    const u = [inward[0] * Math.cos(a) + along[0] * Math.sin(a), inward[1] * Math.cos(a) + along[1] * Math.sin(a)];
    return [mouth[0]! + u[0]! * r, mouth[1]! + u[1]! * r];
  });
}

for (const [name, gate] of [
  ['convenience', 'exit-1'],
  ['kiosk', 'exit'],
] as const) {
  const s = store(name);

  test(`${name}: two shoppers meeting head-on at ${gate} both get out, one after the other`, () => {
    const r = leaveTogether(s, gate, around(s, gate, 1.2, [-90, 90]), 20_000);
    assert.equal(r.gone, 2, `only ${r.gone} of 2 out after ${r.tookMs} ms`);
    assert.equal(r.outs.length, 2);
    assert.ok(r.tookMs <= 6000, `took ${r.tookMs} ms`);
    assert.ok(r.outs[1]! - r.outs[0]! >= 300, `crossed ${r.outs[1]! - r.outs[0]!} ms apart`);
    assert.ok(r.closest > MIN_GAP - 0.02, `came ${r.closest.toFixed(2)} m apart`);
  });

  test(`${name}: five shoppers converging on ${gate} queue through it within seconds`, () => {
    const r = leaveTogether(s, gate, around(s, gate, 1.5, [-90, -45, 0, 45, 90]), 30_000);
    assert.equal(r.gone, 5, `only ${r.gone} of 5 out after ${r.tookMs} ms`);
    assert.equal(r.outs.length, 5);
    assert.ok(r.tookMs <= 10_000, `took ${r.tookMs} ms`);
    for (let i = 1; i < r.outs.length; i++) assert.ok(r.outs[i]! - r.outs[i - 1]! >= 300, `outs ${r.outs}`);
    assert.ok(r.closest > MIN_GAP - 0.02, `came ${r.closest.toFixed(2)} m apart`);
  });
}

test('a shopper standing on the exit lane mouth holds a leaver up for seconds, not for ever', () => {
  const s = store('kiosk');
  const [mouth] = around(s, 'exit', 0, [0]);
  const browser = doneShopper('p-9', 'exit', mouth!);
  browser.agenda = [{ kind: 'browse', ms: 600_000 }];
  const r = leaveTogether(s, 'exit', around(s, 'exit', 1.5, [60]), 30_000, browser);
  assert.equal(r.gone, 1, `leaver still inside after ${r.tookMs} ms`);
  assert.equal(r.outs.length, 1);
  assert.ok(r.tookMs <= 15_000, `took ${r.tookMs} ms`);
  assert.equal(browser.state, 'inside');
});
