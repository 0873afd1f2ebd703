import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FUSION_CONFIG } from '../fusion/config.ts';
import { KP } from '../protocol/messages.ts';
import type { Vec2, Vec3 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { type TrackSample, type TruthPath, trackingMetrics } from './metrics.ts';
import { createVisionStage, type VisionStage } from './stage.ts';
import { type Body, runScenario, skeleton, syntheticStore, walker } from './synthetic.ts';
import type { GateCrossing } from './types.ts';

const T0 = 1_700_000_000_000;
const noise = { pixelSigma: 3, dropout: 0.05, miss: 0.05 };
// 6 × 5 m room, four ceiling cameras at 3 m; entry gate x 0.5–2 and exit gate x 3.8–5.4 on y = 0.
const room = (entryArea?: Vec2[]): Store =>
  syntheticStore({ width: 6, depth: 5, grid: [2, 2], cameraHeight: 3, tilt: 0.3, ...(entryArea ? { entryArea } : {}) });

/** An entry area from 1.2 m outside the entry gate to 1.6 m inside it. */
const ENTRY_REACHING_OUTSIDE: Vec2[] = [
  [0.3, -1.2],
  [2.2, -1.2],
  [2.2, 1.6],
  [0.3, 1.6],
];

interface Run {
  stage: VisionStage;
  crossings: GateCrossing[];
  truth: TruthPath[];
  samples: TrackSample[];
}

/** Feeds a scenario, samples tracks every 100 ms against the people's true floor positions. */
function run(
  store: Store,
  people: ((t: number) => Body | undefined)[],
  seconds: number,
  extra: { offline?: { cameraId: string; from: number; to: number }[]; seed?: number; noise?: typeof noise } = {},
): Run {
  const stage = createVisionStage(store);
  const crossings: GateCrossing[] = [];
  const truth: TruthPath[] = people.map((_, i) => ({ personId: `P${i + 1}`, path: [] }));
  const samples: TrackSample[] = [];
  let next = T0;
  runScenario(store, stage, people, {
    t0: T0,
    t1: T0 + seconds * 1000,
    seed: extra.seed ?? 11,
    jitterMs: 60,
    noise: extra.noise ?? noise,
    ...(extra.offline ? { offline: extra.offline } : {}),
    onTick: (ts) => {
      crossings.push(...stage.advance(ts));
      for (; next <= ts; next += 100) {
        for (const a of stage.activeTracks(next))
          samples.push({ t: next, trackId: a.trackId, x: a.point.x, y: a.point.y });
        people.forEach((p, i) => {
          const b = p(next);
          // Newcomers are tracked from the approach outside the entry gate; truth counts from just before the line.
          if (b && b.y > -0.3) (truth[i]!.path as [number, number, number][]).push([next, b.x, b.y]);
        });
      }
    },
  });
  crossings.push(...stage.flush());
  return { stage, crossings, truth, samples };
}

test('a shopper entering and leaving gets one id, an "in" at the entry gate and an "out" at the exit', () => {
  const store = room();
  const shopper = walker(
    [
      [1.2, -0.6],
      [1.2, 1.2],
      [3, 3.2],
      [4.6, 1],
      [4.6, -0.8],
    ],
    1.2,
    T0,
  );
  let passes = T0 + 3000;
  while ((shopper(passes)?.y ?? -1) > 0) passes += 10;
  const { stage, crossings } = run(store, [shopper], 10);
  assert.deepEqual(
    crossings.map((c) => [c.trackId, c.gateId, c.direction]),
    [
      ['T1', 'entry', 'in'],
      ['T1', 'exit', 'out'],
    ],
  );
  // The "out" happens as the shopper passes the line (plus the hysteresis band), and the track is gone after it.
  const out = crossings[1]!;
  assert.ok(out.t >= passes && out.t - passes < 400, `out ${out.t - passes} ms after passing`);
  assert.deepEqual(stage.activeTracks(out.t + 100), []);
  assert.equal(stage.activeTracks(out.t - 500).length, 1);
});

test("whoever a leaver's track follows back in through the entry gate is a newcomer with an id and an 'in'", () => {
  const store = room();
  // Out through the exit, along the queue outside, and in again through the entry while the leaver is still
  // followed: what a track does when a leaver passes the next shopper waiting at the scanner.
  const shopper = walker(
    [
      [1.2, -0.6],
      [1.2, 1.2],
      [4.6, 1.2],
      [4.6, -0.7],
      [1.2, -0.7],
      [1.2, 2],
    ],
    1.4,
    T0,
  );
  const { crossings, stage } = run(store, [shopper], 12);
  assert.deepEqual(
    crossings.map((c) => [c.trackId, c.gateId, c.direction]),
    [
      ['T1', 'entry', 'in'],
      ['T1', 'exit', 'out'],
      ['T2', 'entry', 'in'],
    ],
  );
  assert.deepEqual(
    stage.activeTracks(T0 + 11_000).map((a) => a.trackId),
    ['T2'],
  );
});

test('with an entry area reaching outside, the "in" crossing is seen when the shopper passes the line', () => {
  const store = room(ENTRY_REACHING_OUTSIDE);
  const shopper = walker(
    [
      [1.2, -1.0],
      [1.2, 2.5],
    ],
    1.0,
    T0,
  );
  const { crossings, stage } = run(store, [shopper], 4);
  assert.equal(crossings.length, 1);
  const c = crossings[0]!;
  assert.deepEqual([c.gateId, c.direction], ['entry', 'in']);
  assert.deepEqual([...stage.outsideTracks()], [], 'inside at the end');
  // Passes y = 0 at 1.0 s (+ the hysteresis band): not at birth, which was outside.
  assert.ok(c.t - T0 > 900 && c.t - T0 < 1600, `in at ${c.t - T0}`);
});

test('someone queuing outside the entry gate is tracked as outside, not inside', () => {
  const store = room(ENTRY_REACHING_OUTSIDE);
  // Walks up to 0.25 m short of the line and waits there.
  const waiting = walker(
    [
      [1.2, -1.0],
      [1.2, -0.25],
    ],
    0.5,
    T0,
    1,
    true,
  );
  const { crossings, stage } = run(store, [waiting], 4);
  assert.deepEqual(crossings, []);
  const live = stage.activeTracks(T0 + 4000).map((a) => a.trackId);
  assert.equal(live.length, 1);
  assert.deepEqual([...stage.outsideTracks()], live);
});

test('nobody is born outside the entry area (closed store): a brief stranger never gets an id', () => {
  const store = room();
  const ghost = walker(
    [
      [4, 3],
      [2.5, 2.5],
    ],
    0.8,
    T0,
  );
  const { stage, crossings, samples } = run(store, [ghost], 4);
  assert.equal(samples.length, 0);
  assert.equal(crossings.length, 0);
  assert.deepEqual(stage.activeTracks(T0 + 3000), []);
});

test('someone inside whom no lost track explains gets an id of their own after a while, without an entry', () => {
  const store = room();
  const stranger = walker(
    [
      [4, 3],
      [2.5, 2.5],
    ],
    0.8,
    T0,
    1,
    true,
  );
  const { crossings, samples } = run(store, [stranger], 6);
  const ids = new Set(samples.map((s) => s.trackId));
  assert.deepEqual([...ids], ['T1']);
  // Not before the orphan has been seen for orphanPromoteMs (3 s), and where the person is.
  assert.ok(samples[0]!.t >= T0 + 3000, `first reported at ${samples[0]!.t - T0} ms`);
  for (const s of samples) {
    const b = stranger(s.t)!;
    assert.ok(Math.hypot(s.x - b.x, s.y - b.y) < 0.5);
  }
  assert.deepEqual(crossings, []); // never crossed a gate: no made-up entry
});

test('identity survives two shoppers passing shoulder to shoulder in opposite directions', () => {
  const store = room();
  // A walks +x along y = 2.5, B walks −x along y = 2.95; they pass about 0.45 m apart at t ≈ 7.3 s.
  const a = walker(
    [
      [1, -0.4],
      [1, 1.0],
      [1, 2.5],
      [5.2, 2.5],
    ],
    1.0,
    T0 + 3000,
    1,
    true,
  );
  const b = walker(
    [
      [1.8, -0.4],
      [1.8, 1.0],
      [5, 1],
      [5, 2.95],
      [0.8, 2.95],
    ],
    1.2,
    T0,
    1,
    true,
  );
  let closest = Number.POSITIVE_INFINITY;
  for (let t = T0; t < T0 + 10_000; t += 50) {
    const pa = a(t);
    const pb = b(t);
    if (pa && pb) closest = Math.min(closest, Math.hypot(pa.x - pb.x, pa.y - pb.y));
  }
  assert.ok(closest < 0.5, `scenario must really cross (closest ${closest})`);
  const r = run(store, [a, b], 10);
  const m = trackingMetrics(r.truth, r.samples);
  assert.equal(m.idSwitches, 0);
  assert.equal(m.keptRate, 1);
  assert.ok(m.idf1 > 0.97, `IDF1 ${m.idf1}`);
  assert.deepEqual(
    m.kept.map((k) => k.trackId),
    ['T2', 'T1'],
  );
});

/** Walks in through the entry and across the room past the shelves, at 1 m/s, staying inside (the dropout tests). */
function inAndAcross() {
  return walker(
    [
      [1.2, -0.25],
      [1.2, 1.0],
      [5, 3.5],
      [1, 3.5],
    ],
    1.0,
    T0,
    1,
    true,
  );
}

test('a camera dropout: the shopper keeps their id, the camera is reported offline and its shelves degraded', () => {
  const store = room();
  const shopper = inAndAcross();
  const offline = [
    { cameraId: 'cam3', from: T0 + 3000, to: T0 + 8000 },
    { cameraId: 'cam4', from: T0 + 3000, to: T0 + 8000 },
  ];
  const r = run(store, [shopper], 12, { offline });
  const m = trackingMetrics(r.truth, r.samples);
  assert.equal(m.kept[0]!.kept, true, JSON.stringify(m.kept));
  assert.equal(m.idSwitches, 0);
  assert.deepEqual(r.stage.offlineCameras(T0 + 7000), ['cam3', 'cam4']);
  assert.deepEqual(r.stage.offlineCameras(T0 + 11_000), []);
  const shelf = store.plates.get('G1-S2-P3')!.reachBox;
  assert.equal(r.stage.camerasDegraded(shelf, T0 + 7000), true);
  assert.equal(r.stage.camerasDegraded(shelf, T0 + 11_000), false);
});

test('a shopper lost while every camera is down is found again elsewhere with the same id (closed store)', () => {
  const store = room();
  const shopper = inAndAcross();
  // All four cameras go dark for 3 s while the shopper walks about 3 m: far beyond any matching gate.
  const offline = ['cam1', 'cam2', 'cam3', 'cam4'].map((cameraId) => ({ cameraId, from: T0 + 3500, to: T0 + 6500 }));
  const r = run(store, [shopper], 12, { offline });
  const ids = new Set(r.samples.map((s) => s.trackId));
  assert.deepEqual([...ids], ['T1']);
  // Reported again soon after the cameras come back, where the shopper is.
  const back = r.samples.filter((s) => s.t >= T0 + 7500);
  assert.ok(back.length > 0);
  for (const s of back) {
    const b = shopper(s.t)!;
    assert.ok(Math.hypot(s.x - b.x, s.y - b.y) < 0.5, `at ${s.t - T0} ms: ${s.x},${s.y} vs ${b.x},${b.y}`);
  }
  assert.deepEqual(
    r.crossings.map((c) => [c.trackId, c.direction]),
    [['T1', 'in']],
  );
});

test('a hand reaching into a plate is found near that plate and not near one two metres away', () => {
  const store = room();
  const plate = store.plates.get('G1-S2-P2')!; // x 2–3, front face y 3.9, shelf z 1.0
  const far = store.plates.get('G1-S2-P4')!; // x 4–5
  const walk = walker(
    [
      [1.2, -0.25],
      [1.2, 1.0],
      [2.5, 3.45],
    ],
    1.0,
    T0,
  );
  const reachFrom = T0 + 5000;
  const shopper = (t: number): Body | undefined => {
    const b = walk(t) ?? { x: 2.5, y: 3.45, heading: Math.PI / 2, scale: 1 };
    if (t < reachFrom) return b;
    // Right hand out to the plate front over 0.5 s, held there, back at 8 s.
    const amount = Math.max(0, Math.min(1, (t - reachFrom) / 500, (T0 + 8000 - t) / 500));
    return { ...b, heading: Math.PI / 2, reach: { side: 'right', target: [2.6, 3.85, 1.1], amount } };
  };
  // Seed 13: three cameras see the reach and no frame of it has the wrist in one view only (with other seeds a
  // keypoint dropout can leave a one-camera wrist, guessed at the shoulder's depth, as the first sighting inside the
  // volume). The point here is the triangulated hand; one-view wrists have their own sigma (singleViewWristSigma).
  const { stage } = run(store, [shopper], 9, { seed: 13 });
  const near = stage.handsNear(plate.reachBox, T0 + 5000, T0 + 8500, 0.3);
  assert.equal(near.length, 1);
  assert.equal(near[0]!.trackId, 'T1');
  assert.equal(near[0]!.entered, true);
  assert.ok(near[0]!.tClosest >= reachFrom && near[0]!.tClosest <= T0 + 8000);
  assert.ok(near[0]!.sigma < 0.1, `sigma ${near[0]!.sigma}`);
  // The hand lingered about 2.5 s, well in from the volume's sides (x 2–3: at 2.6 it is 0.8 of the way in).
  assert.ok(near[0]!.insideMs > 2000 && near[0]!.insideMs <= 3500, `inside ${near[0]!.insideMs} ms`);
  assert.ok(near[0]!.depth > 0.5 && near[0]!.depth <= 1, `depth ${near[0]!.depth}`);
  // The hand went out from where it hangs at rest to the plate, about 0.45 m ahead and a little up.
  assert.ok(near[0]!.armOut! > 0.3, `arm out ${near[0]!.armOut}`);
  // Before reaching, the hand hung by the side: not inside the reach volume.
  const before = stage.handsNear(plate.reachBox, T0 + 4000, T0 + 4900, 0.5);
  assert.ok(before.every((e) => !e.entered));
  assert.deepEqual(stage.handsNear(far.reachBox, T0 + 5000, T0 + 8500, 0.3), []);
});

test('a hand hanging at the side of someone standing close beside a low shelf reads inside, but near where it rests', () => {
  const store = room();
  const plate = store.plates.get('G1-S1-P2')!; // x 2–3, front face y 3.9, shelf z 0.5
  const walk = walker(
    [
      [1.2, -0.25],
      [1.2, 1.0],
      [1.8, 3.6],
      [2.5, 3.6],
    ],
    1.0,
    T0,
    0.9,
    true,
  );
  // Standing sideways 0.3 m from the shelf, facing along it: the left hand hangs over the plate's reach volume.
  const { stage } = run(store, [walk], 9, { seed: 13 });
  const [hand] = stage.handsNear(plate.reachBox, T0 + 6000, T0 + 9000, 0.3);
  assert.equal(hand?.entered, true);
  assert.ok(hand.armOut! < 0.15, `arm out ${hand.armOut}`);
});

/** How far a reach into the low shelf G1-S1-P2 read from rest, for a body `scale` reaching `out` (m, its own size). */
function lowReachArmOut(scale: number, out: Vec3): number {
  const store = room();
  const plate = store.plates.get('G1-S1-P2')!; // x 2–3, front face y 3.9, shelf z 0.5
  const stand: Vec2 = [2.5, 3.85 - out[1] * scale];
  const walk = walker([[1.2, -0.25], [1.2, 1.0], stand], 1.0, T0, scale);
  const rest = skeleton({ x: stand[0], y: stand[1], heading: Math.PI / 2, scale })[KP.right_wrist]!;
  const target: Vec3 = [rest[0] + out[0] * scale, rest[1] + out[1] * scale, rest[2] + out[2] * scale];
  const body = (t: number): Body | undefined => {
    const b = walk(t) ?? { x: stand[0], y: stand[1], heading: Math.PI / 2, scale };
    const amount = Math.max(0, Math.min(1, (t - T0 - 6000) / 500, (T0 + 8500 - t) / 500));
    return { ...b, heading: Math.PI / 2, reach: { side: 'right', target, amount } };
  };
  const [hand] = run(store, [body], 9, { seed: 13 }).stage.handsNear(plate.reachBox, T0 + 6000, T0 + 9000, 0.3);
  assert.equal(hand?.entered, true, `scale ${scale}: the hand must read inside`);
  return hand.armOut!;
}

test("a child's short reach to a low shelf reads as a reach, as far from rest as an adult's, in arm lengths", () => {
  // A child's arm is shorter: a short reach in its body's proportions moved the wrist under 0.2 m from rest, where an
  // adult's hand hangs (kiosk seed 5, stop 30), so fusion read the picker's hand as hanging there.
  const adult = lowReachArmOut(1, [0, 0.15, -0.05]);
  const child = lowReachArmOut(0.65, [0, 0.15, -0.05]);
  assert.ok(child >= DEFAULT_FUSION_CONFIG.armBands.hangingM, `child ${child} is past the hanging band`);
  assert.ok(Math.abs(child - adult) < 0.15 * adult, `child ${child} against adult ${adult}`);
});

test('the same input gives the same tracks and crossings (deterministic)', () => {
  const store = room();
  const people = [
    walker(
      [
        [1.2, -0.25],
        [1.2, 1.0],
        [4.5, 3.0],
        [4.6, -0.8],
      ],
      1.1,
      T0,
    ),
    walker(
      [
        [1.6, -0.4],
        [1.6, 1.0],
        [2, 3.5],
        [4.3, -0.8],
      ],
      1.0,
      T0 + 2000,
    ),
  ];
  const a = run(store, people, 12);
  const b = run(store, people, 12);
  assert.deepEqual(a.crossings, b.crossings);
  assert.deepEqual(a.samples, b.samples);
  assert.equal(a.crossings.filter((c) => c.direction === 'out').length, 2);
});

/** Walks `arrive` from t0 and waits at its end until `go`, then walks `route` on, at 1.2 m/s. */
function queued(arrive: Vec2[], t0: number, go: number, route: Vec2[], scale: number) {
  const come = walker(arrive, 1.2, t0, scale, true);
  const walk = walker([arrive[arrive.length - 1]!, ...route], 1.2, go, scale, true);
  return (t: number): Body | undefined => (t < go ? come(t) : walk(t));
}

test('two queued at the scanner, a child close behind an adult: each gets a track of their own and keeps it', () => {
  const store = room(ENTRY_REACHING_OUTSIDE);
  const front = queued(
    [
      [1.2, -1.2],
      [1.2, -0.3],
    ],
    T0,
    T0 + 4000,
    [
      [1.2, 1.2],
      [4.5, 2.5],
    ],
    1,
  );
  const behind = queued(
    [
      [1.3, -1.2],
      [1.25, -0.55],
    ],
    T0 + 2000,
    T0 + 4600,
    [
      [1.1, 1.0],
      [1.1, 3.5],
    ],
    0.7,
  );
  // Light noise and no dropouts: the point is the birth of the one behind, not recovering from missed frames.
  const r = run(store, [front, behind], 9, { noise: { pixelSigma: 1, dropout: 0, miss: 0 } });
  const m = trackingMetrics(r.truth, r.samples);
  assert.equal(m.idSwitches, 0, JSON.stringify(m.kept));
  assert.equal(m.keptRate, 1);
  assert.equal(r.crossings.filter((c) => c.direction === 'in').length, 2);
});
