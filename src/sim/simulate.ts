/**
 * The digital twin's main loop: 100 ms steps in event time. Each step moves people, lets the load cells and shelf
 * controllers sample, renders camera frames between the previous and current poses, samples the truth, and
 * releases device messages in timestamp order (held back 1.3 s: a keep-alive, the latest report, is 0.9 s old).
 */
import { demoEntryCode } from '../identity/demo-authorizer.ts';
import type { RecordedMessage } from '../protocol/recording.ts';
import { topicFor } from '../protocol/topics.ts';
import type { Store } from '../store/store.ts';
import { unitGrams } from './actions.ts';
import { stepPerson } from './agents.ts';
import { poseJoints } from './body.ts';
import { SimCamera, type Visible } from './cameras.ts';
import { FloorGrid } from './nav.ts';
import { type Resolved, resolveOptions, type SimOptions } from './options.ts';
import { planRun } from './plan.ts';
import { drawSensorParams, PlateSensor, SAMPLE_HZ } from './plates.ts';
import { createRng } from './random.ts';
import { type PendingCase, runScripted } from './scripted.ts';
import { keepApart } from './spacing.ts';
import type { GroundTruth } from './truth.ts';
import { TruthRecorder } from './truth-recorder.ts';
import type { Person, World } from './world.ts';

export type { SimOptions } from './options.ts';

const STEP_MS = 100;
const HOLD_BACK_MS = 1300;
const SAMPLE_HZ_TRUTH = 2;
/** The handheld staff report items found on the floor from. */
const STAFF_HANDHELD = 'staff-handheld-1';
/** Safety stop: the run ends at most this long after its nominal end even if someone is still inside. */
const OVERRUN_MS = 30 * 60_000;

/** Runs the digital twin; calls onMessage for every device message in non-decreasing ts order; returns the truth. */
export function runSimulation(store: Store, options: SimOptions, onMessage: (m: RecordedMessage) => void): GroundTruth {
  const run = simulateBatches(store, options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    for (const m of next.value) onMessage(m);
  }
}

/** The same run as a generator of message batches (each in ts order), so a caller can await a writer between them. */
export function* simulateBatches(store: Store, options: SimOptions): Generator<RecordedMessage[], GroundTruth> {
  const o = resolveOptions(options);
  const world = createWorld(store, o);
  const plan = planRun(store, o, world.rng.fork('plan'), world.stock);
  world.people = plan.people;
  world.silentPlan = plan.silentPlan;
  for (const f of plan.cameraOffline) {
    world.truth.faults.push({
      deviceId: f.cameraId,
      from: Math.round(f.from),
      to: Math.round(f.to),
      kind: 'camera-offline',
    });
    world.truth.hardCase('camera-offline', f.from);
  }
  for (const p of plan.people) {
    world.truth.person({
      personId: p.id,
      visit: p.role === 'staff' || p.role === 'tailgater' ? null : p.party.visit,
      role: p.role,
      path: [],
      wrists: [],
    });
  }
  const cameras = [...store.cameras.values()].map((c) => new SimCamera(c, store, world.rng.fork(`camera:${c.id}`)));
  const fps = cameras.map((c) => Math.min(c.def.fps, o.cameraFps ?? Math.min(c.def.fps, 10)));
  const nextFrame = cameras.map(() => o.start);
  const pending: PendingCase[] = plan.scripted.map((s) => ({ t: s.t, kind: s.kind, firstTry: s.t }));
  const scans = plan.parties.filter((p) => p.scanTs !== null).sort((a, b) => a.scanTs! - b.scanTs!);
  let scanIndex = 0;
  const nominalEnd = o.start + o.minutes * 60_000;
  const buffer: { m: RecordedMessage; ts: number; seq: number }[] = [];
  let seq = 0;
  world.emit = (m) => buffer.push({ m, ts: (m.payload as { ts: number }).ts, seq: seq++ });
  let lastProgress = -1;
  let t = o.start;
  for (; t < nominalEnd + OVERRUN_MS; t += STEP_MS) {
    if (t >= nominalEnd && world.people.every((p) => p.state === 'gone' || p.state === 'pending')) break;
    while (scanIndex < scans.length && scans[scanIndex]!.scanTs! < t + STEP_MS) emitScan(world, scans[scanIndex++]!);
    for (const p of world.people) {
      if (p.state !== 'pending' || p.party.arrive >= t + STEP_MS) continue;
      p.state = 'queued';
      poseJoints(p, p.joints);
    }
    runScripted(world, pending, t);
    for (const p of world.people) {
      if (p.state === 'pending' || p.state === 'gone') continue;
      p.prevJoints.set(p.joints);
      stepPerson(world, p, t, STEP_MS / 1000);
    }
    keepApart(world);
    for (const p of world.people) if (p.state !== 'pending' && p.state !== 'gone') poseJoints(p, p.joints);
    for (const [id, sensor] of world.sensors) {
      const window = world.silent.get(id);
      const silent = window !== undefined && t >= window.from && t < window.to;
      for (const b of sensor.tick((SAMPLE_HZ * STEP_MS) / 1000, silent)) {
        if (window && b.ts + 1000 / b.hz > window.from && b.ts < window.to) continue;
        world.emit({ topic: topicFor(store.def.id, 'plate.weight', id), payload: { v: 1, ...b } });
      }
    }
    renderCameras(world, cameras, fps, nextFrame, plan.cameraOffline, t);
    reportFloorFinds(world, t);
    if ((t - o.start) % (1000 / SAMPLE_HZ_TRUTH) === 0) sampleTruth(world, t + STEP_MS);
    const progress = Math.floor(((t - o.start) / (nominalEnd - o.start)) * 100);
    if (progress !== lastProgress && progress <= 100) {
      lastProgress = progress;
      o.onProgress(Math.min(1, progress / 100));
    }
    if ((t - o.start) % 500 === 0) {
      const ready = release(buffer, t - HOLD_BACK_MS);
      if (ready.length > 0) yield ready;
    }
  }
  const rest = release(buffer, Number.POSITIVE_INFINITY);
  if (rest.length > 0) yield rest;
  o.onProgress(1);
  return world.truth.finish(Math.max(t, nominalEnd));
}

function createWorld(store: Store, o: Resolved): World {
  const rng = createRng(o.seed);
  const stockRng = rng.fork('stock');
  const stock = new Map<string, Map<string, number>>();
  const sensors = new Map<string, PlateSensor>();
  const world: World = {
    store,
    rng: rng.fork('people'),
    grid: new FloorGrid(store),
    sensors,
    stock,
    people: [],
    truth: new TruthRecorder(store.def.id, o.seed, o.start, SAMPLE_HZ_TRUTH),
    emit: () => {},
    silent: new Map(),
    silentPlan: [],
    misplaced: [],
    misplacedSeen: false,
    floor: [],
    floorRng: rng.fork('floor'),
  };
  for (const [id, info] of store.plates) {
    const units = new Map<string, number>();
    let grams = 0;
    info.plate.skus.forEach((sku, i) => {
      const n = Math.round(info.plate.capacity[i]! * stockRng.uniform(0.6, 1));
      units.set(sku, n);
      for (let k = 0; k < n; k++) grams += unitGrams({ ...world, rng: stockRng }, store.products.get(sku)!);
    });
    stock.set(id, units);
    sensors.set(
      id,
      new PlateSensor(id, drawSensorParams(stockRng), grams, rng.fork(`plate:${id}`), o.start, o.plateRate),
    );
  }
  return world;
}

/** Staff walking the floor pick up dropped items and report each from a handheld, where they found it. */
function reportFloorFinds(w: World, t: number): void {
  while (w.floor.length > 0 && w.floor[0]!.due <= t) {
    const { sku, at, due } = w.floor.shift()!;
    const payload = { v: 1, ts: Math.round(due), sku, at };
    w.emit({ topic: topicFor(w.store.def.id, 'item.found', STAFF_HANDHELD), payload });
  }
}

function emitScan(w: World, party: Person['party']): void {
  const size = party.members.length;
  const code = demoEntryCode(party.account, size, party.staff);
  const ts = party.scanTs!;
  w.emit({ topic: topicFor(w.store.def.id, 'gate.scan', party.entryGate), payload: { v: 1, ts, code } });
  w.truth.visits.set(party.visit!, {
    visit: party.visit!,
    account: party.account,
    members: party.members.map((m) => m.id),
    entryGate: party.entryGate,
    scanned: ts,
    entered: 0,
    exited: 0,
    receipt: [],
    staff: party.staff,
  });
}

function renderCameras(
  w: World,
  cameras: SimCamera[],
  fps: number[],
  nextFrame: number[],
  offline: { cameraId: string; from: number; to: number }[],
  t: number,
): void {
  const present = w.people.filter((p) => p.state !== 'pending' && p.state !== 'gone');
  const poseAt = new Map<number, Visible[]>();
  cameras.forEach((camera, i) => {
    while (nextFrame[i]! < t + STEP_MS) {
      const ft = nextFrame[i]!;
      nextFrame[i] = ft + 1000 / fps[i]!;
      const down = offline.some((f) => f.cameraId === camera.def.id && ft >= f.from && ft < f.to);
      if (down) continue;
      // Poses at the frame instant, interpolated between the step's start and end (shared by all cameras).
      const key = Math.round(ft);
      let people = poseAt.get(key);
      if (!people) {
        const a = (ft - t) / STEP_MS;
        people = present.map((p, k) => ({
          joints: lerpInto(framePool, poseAt.size * 1000 + k, p.prevJoints, p.joints, a),
        }));
        poseAt.set(key, people);
      }
      const detections = camera.detect(people);
      const ts = Math.round(ft + camera.offsetMs + w.rng.uniform(-3, 3));
      const payload = { v: 1, ts, frame: camera.frame++, people: detections };
      w.emit({ topic: topicFor(w.store.def.id, 'camera.people', camera.def.id), payload });
    }
  });
}

/** Interpolated joints written into a pooled buffer (poses live only for the step that renders them). */
const framePool: Float64Array[] = [];
function lerpInto(pool: Float64Array[], slot: number, a: Float64Array, b: Float64Array, k: number): Float64Array {
  let out = pool[slot];
  if (!out) {
    out = new Float64Array(b.length);
    pool[slot] = out;
  }
  for (let i = 0; i < b.length; i++) out[i] = a[i]! + (b[i]! - a[i]!) * k;
  return out;
}

function sampleTruth(w: World, t: number): void {
  for (const p of w.people) {
    if (p.state === 'pending' || p.state === 'gone') continue;
    const j = p.joints;
    w.truth.sample(p.id, t, p.x, p.y, [j[27]!, j[28]!, j[29]!, j[30]!, j[31]!, j[32]!]);
  }
}

/** Removes and returns the buffered messages with ts ≤ upTo, in (ts, arrival) order. */
function release(buffer: { m: RecordedMessage; ts: number; seq: number }[], upTo: number): RecordedMessage[] {
  buffer.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  let n = 0;
  while (n < buffer.length && buffer[n]!.ts <= upTo) n++;
  return buffer.splice(0, n).map((e) => e.m);
}
