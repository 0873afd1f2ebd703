/**
 * The digital twin end to end: deterministic per seed, every message valid and in time order, gates and visit ids
 * as the engine will see them, every hard case present with its truth, receipts consistent with interactions.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { sessionIdFor } from '../identity/demo-authorizer.ts';
import type { RecordedMessage } from '../protocol/recording.ts';
import { parseTopic } from '../protocol/topics.ts';
import { validateMessage } from '../protocol/validate.ts';
import { loadStoreFile } from '../store/load-store.ts';
import type { Store } from '../store/store.ts';
import { runSimulation, type SimOptions } from './simulate.ts';
import type { GroundTruth, HardCase } from './truth.ts';

type FoundPayload = { ts: number; sku: string; at: [number, number] };

function store(name: string): Store {
  const r = loadStoreFile(new URL(`../../examples/${name}.yaml`, import.meta.url).pathname);
  assert.ok(r.ok);
  return r.value;
}

function run(s: Store, o: SimOptions): { messages: RecordedMessage[]; truth: GroundTruth } {
  const messages: RecordedMessage[] = [];
  const truth = runSimulation(s, o, (m) => messages.push(m));
  return { messages, truth };
}

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

const kiosk = store('kiosk');
const convenience = store('convenience');
let moderate: { messages: RecordedMessage[]; truth: GroundTruth } | undefined;
/** One moderately sized standard run shared by the hard-case tests (20 visits guarantee every case). */
const standardRun = () => {
  moderate ??= run(convenience, { shoppers: 20, minutes: 10, seed: 7 });
  return moderate;
};

test('same seed gives identical messages and truth; another seed differs', () => {
  const o = { shoppers: 4, minutes: 2, seed: 11 };
  const a = run(kiosk, o);
  const b = run(kiosk, o);
  const c = run(kiosk, { ...o, seed: 12 });
  assert.ok(a.messages.length > 1000);
  assert.equal(digest(a.messages), digest(b.messages));
  assert.equal(digest(a.truth), digest(b.truth));
  assert.notEqual(digest(a.messages), digest(c.messages));
  assert.notEqual(digest(a.truth.visits), digest(c.truth.visits));
});

test('every message passes validation and timestamps never go back', () => {
  const { messages } = run(kiosk, { shoppers: 5, minutes: 2, seed: 3, plateRate: 'full' });
  let last = 0;
  const kinds = new Set<string>();
  for (const m of messages) {
    const v = validateMessage(kiosk, m.topic, m.payload);
    assert.ok(v.ok, v.ok ? '' : `${m.topic}: ${v.reason}`);
    assert.ok(v.value.ts >= last, `${m.topic} at ${v.value.ts} after ${last}`);
    last = v.value.ts;
    kinds.add(v.value.kind);
  }
  assert.deepEqual([...kinds].sort(), ['camera.people', 'gate.pass', 'gate.scan', 'plate.weight']);
});

test('full plate rate sends 12 samples at 60 Hz every 200 ms from every plate', () => {
  const { messages } = run(kiosk, { shoppers: 1, minutes: 1, seed: 5, plateRate: 'full' });
  const plates = messages.filter((m) => m.topic.endsWith('/weight'));
  const perPlate = plates.length / kiosk.plates.size;
  const seconds = (plates.at(-1)!.payload as { ts: number }).ts - (plates[0]!.payload as { ts: number }).ts;
  assert.ok(Math.abs(perPlate - (seconds / 1000) * 5) <= 6, `${perPlate} batches per plate over ${seconds} ms`);
  for (const m of plates) {
    const p = m.payload as { hz: number; grams: number[] };
    assert.equal(p.hz, 60);
    assert.equal(p.grams.length, 12);
  }
});

test('scans carry demo codes, visit ids follow sessionIdFor, members pass in 1–3 s after the scan', () => {
  const { messages, truth } = standardRun();
  const scans = messages.filter((m) => m.topic.endsWith('/scan'));
  assert.equal(scans.length, truth.visits.length);
  const passes = messages
    .filter((m) => m.topic.endsWith('/pass'))
    .map((m) => ({
      gate: parseTopic(m.topic).ok ? (parseTopic(m.topic) as { value: { deviceId: string } }).value.deviceId : '',
      ...(m.payload as { ts: number; direction: string }),
    }));
  for (const v of truth.visits) {
    const scan = scans.find(
      (m) => (m.payload as { ts: number }).ts === v.scanned && m.topic.includes(`/${v.entryGate}/`),
    );
    assert.ok(scan, `scan for ${v.visit}`);
    assert.equal(v.visit, sessionIdFor(v.entryGate, v.scanned));
    const code = (scan.payload as { code: string }).code;
    assert.equal(code, v.staff ? `staff:${v.account}` : `demo:${v.account}:${v.members.length}`);
    const ins = passes.filter(
      (p) => p.gate === v.entryGate && p.direction === 'in' && p.ts >= v.scanned + 1000 && p.ts <= v.scanned + 3000,
    );
    assert.ok(ins.length >= v.members.length, `${v.visit}: ${ins.length} passes for ${v.members.length} members`);
    assert.ok(v.entered >= v.scanned + 1000 && v.entered <= v.scanned + 3000);
    assert.ok(v.exited > v.entered, `${v.visit} left`);
    // Each member's own time inside lies within the party's, and ends at one of the visit's 'out' crossings.
    for (const m of truth.people.filter((p) => p.visit === v.visit)) {
      assert.ok(m.entered !== undefined && m.exited !== undefined, `${m.personId} crossed in and out`);
      assert.ok(m.entered >= v.entered && m.exited <= v.exited && m.exited > m.entered, m.personId);
      assert.ok(passes.some((p) => p.direction === 'out' && p.ts === Math.round(m.exited!)));
    }
  }
  const outs = passes.filter((p) => p.direction === 'out').length;
  assert.equal(outs, truth.people.length, 'everyone leaves through an exit gate');
});

const ALL_CASES: HardCase[] = [
  'same-plate-race',
  'adjacent-plate-race',
  'pick-then-return',
  'wrong-plate-return',
  'misplaced-pick',
  'multi-unit',
  'near-equal-weights',
  'family-child-pick',
  'tailgater',
  'handoff',
  'floor-drop',
  'staff-restock',
  'shelf-bump',
  'silent-plate',
  'camera-offline',
  'crossing-arms',
  'shoulder-to-shoulder',
];

test('every hard case appears in a standard run, with its truth', () => {
  const { messages, truth } = standardRun();
  const missing = ALL_CASES.filter((c) => (truth.hardCases[c]?.length ?? 0) === 0);
  assert.deepEqual(missing, []);
  const picks = truth.interactions.filter((i) => i.kind === 'pick');
  const near = (a: number, b: number, ms: number) => Math.abs(a - b) <= ms;
  for (const t of truth.hardCases['same-plate-race']!) {
    const race = picks.filter((p) => near(p.t, t, 3000));
    assert.ok(
      race.some((a) => race.some((b) => a.personId !== b.personId && a.plateId === b.plateId && near(a.t, b.t, 1000))),
      'two people pick from one plate within 1 s',
    );
  }
  const tailgaters = truth.people.filter((p) => p.role === 'tailgater');
  assert.ok(tailgaters.length > 0 && tailgaters.every((p) => p.visit === null));
  const restocks = truth.interactions.filter((i) => i.kind === 'restock');
  assert.ok(restocks.length > 0 && restocks.every((i) => i.visit === null && i.qty < 0));
  assert.ok(truth.interactions.some((i) => i.kind === 'handoff' && i.toPersonId && i.toPersonId !== i.personId));
  assert.ok(truth.interactions.some((i) => i.kind === 'drop' && i.plateId === null));
  assert.ok(truth.interactions.some((i) => i.kind === 'misplaced-return'));
  assert.ok(truth.interactions.some((i) => i.kind === 'misplaced-pick'));
  assert.ok(truth.interactions.some((i) => i.kind === 'bump' && i.qty === 0));
  assert.ok(truth.visits.some((v) => v.members.length > 1));
  // Faults: a silent plate sends nothing, an offline camera sends nothing, inside their windows.
  for (const f of truth.faults) {
    const device = f.kind === 'silent-plate' ? `/plates/${f.deviceId}/` : `/cameras/${f.deviceId}/`;
    const during = messages.filter((m) => {
      const ts = (m.payload as { ts: number }).ts;
      return m.topic.includes(device) && ts >= f.from + 200 && ts < f.to - 200;
    });
    assert.equal(during.length, 0, `${f.kind} ${f.deviceId} sent ${during.length} messages`);
  }
});

test('receipts are what the party carried out: picks − returns − drops ± handoffs', () => {
  const { truth } = standardRun();
  const members = new Map(truth.people.map((p) => [p.personId, p.visit]));
  for (const v of truth.visits) {
    const expected = new Map<string, number>();
    const add = (sku: string | null, n: number) => {
      if (sku) expected.set(sku, (expected.get(sku) ?? 0) + n);
    };
    for (const i of truth.interactions) {
      const mine = members.get(i.personId) === v.visit && !v.staff;
      if (i.kind === 'handoff') {
        if (mine) add(i.sku, -i.qty);
        if (i.toPersonId && members.get(i.toPersonId) === v.visit && !v.staff) add(i.sku, i.qty);
      } else if (mine && ['pick', 'misplaced-pick', 'return', 'misplaced-return', 'drop'].includes(i.kind))
        add(i.sku, i.qty);
    }
    const receipt = new Map(v.receipt.map((l) => [l.sku, l.qty]));
    for (const [sku, n] of expected) assert.equal(receipt.get(sku) ?? 0, n, `${v.visit} ${sku}`);
    for (const [sku, n] of receipt) assert.equal(expected.get(sku) ?? 0, n, `${v.visit} ${sku}`);
    if (v.staff) assert.deepEqual(v.receipt, []);
  }
  assert.ok(truth.visits.some((v) => v.receipt.length > 0));
});

test('staff report each dropped item from a handheld minutes later, where it fell', () => {
  const { messages, truth } = standardRun();
  const drops = truth.interactions.filter((i) => i.kind === 'drop').map((drop) => ({ drop, reported: false }));
  const finds = messages.filter((m) => m.topic.endsWith('/found')).map((m) => m.payload as FoundPayload);
  assert.ok(finds.length > 0);
  for (const find of finds) {
    // Each find is one drop of its product, 1–8 minutes before, a step from where the dropper stood.
    const match = drops.find(
      (d) => !d.reported && d.drop.sku === find.sku && find.ts - d.drop.t >= 60_000 && find.ts - d.drop.t <= 480_000,
    );
    assert.ok(match, `no drop of ${find.sku} for the find at ${find.ts}`);
    match.reported = true;
    const path = truth.people.find((p) => p.personId === match.drop.personId)!.path;
    const [, x, y] = path.reduce((best, s) =>
      Math.abs(s[0] - match.drop.t) < Math.abs(best[0] - match.drop.t) ? s : best,
    );
    const off = Math.hypot(find.at[0] - x, find.at[1] - y);
    assert.ok(off < 1.2, `found ${off.toFixed(2)} m from the dropper`);
  }
  // Drops late in the run may be found after it ends; the others all were.
  const end = messages.reduce((e, m) => Math.max(e, (m.payload as { ts: number }).ts), 0);
  assert.deepEqual(
    drops.filter((d) => !d.reported && d.drop.t + 480_000 < end).map((d) => d.drop.t),
    [],
  );
});

test('wrists enter the plate reach volume around each pick', () => {
  const { truth } = standardRun();
  const people = new Map(truth.people.map((p) => [p.personId, p]));
  let checked = 0;
  for (const i of truth.interactions.filter((x) => x.kind === 'pick').slice(0, 25)) {
    const box = convenience.plates.get(i.plateId!)!.reachBox;
    const samples = people.get(i.personId)!.wrists.filter((w) => Math.abs(w[0] - i.t) <= 1000);
    const inside = samples.some((w) =>
      [w.slice(1, 4), w.slice(4, 7)].some((p) =>
        p.every((c, k) => c! >= box.min[k]! - 0.02 && c! <= box.max[k]! + 0.02),
      ),
    );
    assert.ok(inside, `${i.personId} at ${i.plateId}`);
    checked++;
  }
  assert.ok(checked > 10);
});

test('people keep personal space: almost no person-time with a body centre within 0.35 m of another', () => {
  const truth = runSimulation(kiosk, { shoppers: 30, minutes: 15, seed: 11 }, () => {});
  const at = new Map<number, [string, number, number][]>();
  for (const p of truth.people) {
    for (const [t, x, y] of p.path) {
      const here = at.get(t) ?? [];
      here.push([p.personId, x, y]);
      at.set(t, here);
    }
  }
  let close = 0;
  let total = 0;
  for (const here of at.values()) {
    for (const [id, x, y] of here) {
      total++;
      if (here.some(([j, u, v]) => j !== id && Math.hypot(u - x, v - y) < 0.35)) close++;
    }
  }
  assert.ok(total > 5000, `only ${total} samples`);
  // Before personal space this was 31 % in this crowded kiosk run; allow a trace for the gate lanes.
  assert.ok(close / total < 0.002, `${((close / total) * 100).toFixed(2)} % of person-time closer than 0.35 m`);
});

test('the crowd cap holds: shoppers wait outside while the store is full', () => {
  // 60 visits in 12 minutes would put well over the kiosk's cap of 7 parties inside at the rush.
  const truth = runSimulation(kiosk, { shoppers: 60, minutes: 12, seed: 5 }, () => {});
  const visits = truth.visits.filter((v) => !v.staff && v.entered > 0);
  assert.ok(visits.length >= 50, `${visits.length} visits`);
  const edges = visits.flatMap((v) => [
    [v.entered, 1],
    [v.exited, -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let inside = 0;
  let most = 0;
  for (const [, d] of edges) {
    inside += d!;
    most = Math.max(most, inside);
  }
  // The planner caps the kiosk at 7 from each visit's expected stay; a visit that outlasts its plan may make it 8.
  // Before the cap counted expected stays, this run had 12 inside.
  assert.ok(most <= 8, `${most} parties inside at once`);
  assert.ok(most >= 5, `the rush should fill the store (${most})`);
});
