/**
 * A small, deterministic kiosk scene for the staff pages' tests: two shoppers scan in, walk to the drinks fridge,
 * and both reach into the same plate while one can leaves it — a shelf event the engine cannot pin on either, so
 * it becomes a review case. Produced as device messages (gate scans, camera detections, plate weights) in
 * timestamp order, ready for `engine.ingest`.
 */
import { demoEntryCode } from '../identity/demo-authorizer.ts';
import { topicFor } from '../protocol/topics.ts';
import { plateHandPoint, plateStandPoint } from '../sim/geometry.ts';
import type { Vec2 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { type Body, runScenario, walker } from '../vision/synthetic.ts';
import { byException, fullRate, type PlateMessage } from '../weight/synthetic.ts';

export interface ScenarioMessage {
  ts: number;
  topic: string;
  payload: unknown;
}

export interface ReviewScene {
  messages: ScenarioMessage[];
  /** The plate both shoppers reach into. */
  plateId: string;
  accounts: [string, string];
  t0: number;
  tEnd: number;
}

const T0 = 1_767_268_800_000; // 2026-01-01 12:00 UTC
const PICK_AT_MS = 14_000;
const END_MS = 19_000;

/** Walk the waypoints, then stand at the last one facing `face` (radians), reaching in [r0, r1] towards `target`. */
function shopper(
  path: Vec2[],
  start: number,
  face: number,
  reach: { r0: number; r1: number; target: [number, number, number] },
): (t: number) => Body | undefined {
  const walk = walker(path, 1.2, start);
  const last = path.at(-1)!;
  return (t) => {
    if (t < start) return undefined;
    const moving = walk(t);
    if (moving) return moving;
    const body: Body = { x: last[0], y: last[1], heading: face, scale: 1 };
    if (t >= reach.r0 && t <= reach.r1) {
      // Out, hold, back: a reach takes about two seconds.
      const f = (t - reach.r0) / (reach.r1 - reach.r0);
      body.reach = { side: 'right', target: reach.target, amount: Math.min(1, Math.sin(Math.PI * f) * 1.6) };
    }
    return body;
  };
}

function plateMessages(store: Store, plateId: string): PlateMessage[] {
  const out: PlateMessage[] = [];
  let seed = 7;
  for (const [id, info] of store.plates) {
    seed += 1;
    const base = info.plate.skus.reduce(
      (sum, sku, i) => sum + (store.products.get(sku)?.unitWeight.mean ?? 0) * (info.plate.capacity[i] ?? 0),
      0,
    );
    if (id === plateId) {
      const sku = info.plate.skus[0]!;
      const grams = store.products.get(sku)!.unitWeight.mean;
      const script = { plateId: id, base, noise: 0.8, changes: [{ t: PICK_AT_MS, grams }] };
      out.push(...fullRate(script, T0, END_MS, seed));
    } else {
      out.push(...byException({ plateId: id, base, noise: 0.8 }, T0, END_MS, seed));
    }
  }
  return out;
}

/** The scene for the kiosk example store (examples/kiosk.yaml); `plateId` defaults to the fridge's first plate. */
export function kioskReviewScene(store: Store, plateId = 'KF-s1-p01'): ReviewScene {
  const info = store.plates.get(plateId);
  if (!info) throw new Error(`no plate ${plateId} in ${store.def.id}`);
  const entry = store.def.gates.find((g) => g.kind !== 'exit')!;
  const [[ax, ay], [bx, by]] = entry.line;
  const gateX = (ax + bx) / 2;
  const gateY = (ay + by) / 2;
  const outside: Vec2 = [gateX, gateY - 0.5];
  const inside: Vec2 = [gateX, gateY + 1.2];
  const stand = plateStandPoint(info);
  const hand = plateHandPoint(info);
  const face = Math.atan2(hand[1] - stand[1], hand[0] - stand[0]);
  const accounts: [string, string] = ['ava', 'ben'];
  const reach = { r0: T0 + PICK_AT_MS - 1_000, r1: T0 + PICK_AT_MS + 1_000, target: hand };
  // Side by side, 0.5 m apart, equally close to the plate.
  const people = [
    shopper([outside, inside, [stand[0] - 0.25, stand[1]]], T0 + 1_000, face, reach),
    shopper([outside, inside, [stand[0] + 0.25, stand[1]]], T0 + 4_500, face, reach),
  ];
  const messages: ScenarioMessage[] = [];
  const scan = (ts: number, account: string) =>
    messages.push({
      ts,
      topic: topicFor(store.def.id, 'gate.scan', entry.id),
      payload: { v: 1, ts, code: demoEntryCode(account, 1) },
    });
  scan(T0 + 500, accounts[0]);
  scan(T0 + 4_000, accounts[1]);
  runScenario(
    store,
    {
      onFrame: ({ cameraId, kind, ...payload }) =>
        messages.push({ ts: payload.ts, topic: topicFor(store.def.id, kind, cameraId), payload }),
    },
    people,
    { t0: T0, t1: T0 + END_MS, seed: 3, jitterMs: 5, noise: { pixelSigma: 1, dropout: 0, miss: 0 } },
  );
  for (const { plateId: id, kind, ...payload } of plateMessages(store, plateId)) {
    messages.push({ ts: payload.ts, topic: topicFor(store.def.id, kind, id), payload });
  }
  messages.sort((a, b) => a.ts - b.ts);
  return { messages, plateId, accounts, t0: T0, tEnd: T0 + END_MS };
}
