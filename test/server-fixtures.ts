/**
 * Shared fixtures for the server, MQTT and replay integration tests: a tiny single-shopper store (one fridge shelf
 * of two plates, one door, no cameras), a scripted visit as device messages in the wire format, and small helpers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { createRng } from '../src/sim/random.ts';
import { parseStore } from '../src/store/load-store.ts';
import type { StoreDef } from '../src/store/schema.ts';
import type { Store } from '../src/store/store.ts';

export { freePort } from '../src/server/free-port.ts';

export const STORE_ID = 'micro-01';
export const T0 = Date.UTC(2025, 5, 1, 9, 0, 0);

export const STORE_DEF: StoreDef = {
  id: STORE_ID,
  name: 'Micro market (test)',
  currency: 'EUR',
  timezone: 'UTC',
  mode: 'single-shopper',
  floor: {
    outline: [
      [0, 0],
      [4, 0],
      [4, 4],
      [0, 4],
    ],
    entryArea: [
      [0.5, 0.2],
      [1.5, 0.2],
      [1.5, 1],
    ],
  },
  products: [
    { sku: 'cola', name: 'Cola 330 ml', price: 150, unitWeight: { mean: 355, sd: 3 }, ageRestricted: false },
    { sku: 'water', name: 'Water 500 ml', price: 100, unitWeight: { mean: 520, sd: 4 }, ageRestricted: false },
  ],
  fixtures: [
    {
      id: 'fridge',
      kind: 'fridge',
      box: { min: [0, 3.4, 0], max: [2, 4, 2] },
      facing: [0, -1],
      shelves: [
        {
          id: 's1',
          plates: [
            { id: 'p1', box: { min: [0, 3.4, 1], max: [1, 4, 1.02] }, skus: ['cola'], capacity: [10], maxGrams: 20000 },
            {
              id: 'p2',
              box: { min: [1, 3.4, 1], max: [2, 4, 1.02] },
              skus: ['water'],
              capacity: [10],
              maxGrams: 20000,
            },
          ],
        },
      ],
    },
  ],
  cameras: [],
  gates: [
    {
      id: 'door',
      kind: 'both',
      line: [
        [0.5, 0],
        [1.5, 0],
      ],
    },
  ],
};

export function testStore(): Store {
  const parsed = parseStore(structuredClone(STORE_DEF));
  if (!parsed.ok) throw new Error(`test store invalid: ${parsed.reason}`);
  return parsed.value;
}

export function storeYaml(): string {
  return stringify(STORE_DEF);
}

export type WireMessage = { topic: string; payload: Record<string, unknown> };

const topic = (device: string, id: string, message: string) => `walkout/${STORE_ID}/${device}/${id}/${message}`;

/**
 * One shopper's visit, as the devices would send it: plates report once a second when quiet and stream 60 Hz
 * batches around a pick; the shopper scans `code`, walks in, takes `picks` water bottles from p2 (weighing `p2`
 * grams before) and walks out.
 */
export function visitMessages(
  options: { start?: number; code?: string; picks?: number; seed?: number; p2?: number } = {},
) {
  const start = options.start ?? T0;
  const picks = options.picks ?? 1;
  const rng = createRng(options.seed ?? 7);
  const out: WireMessage[] = [];
  const pickAt = start + 20_000;
  const base = { p1: 3550, p2: options.p2 ?? 5200 };
  const gramsAt = (plate: 'p1' | 'p2', t: number) =>
    plate === 'p2' && t >= pickAt ? base.p2 - picks * 520 : base[plate];
  const plateMsgs: [number, WireMessage][] = [];
  const end = start + 60_000;
  const batch = (plate: 'p1' | 'p2', t: number, hz: number, n: number): [number, WireMessage] => {
    const grams = Array.from({ length: n }, (_, i) => {
      const g = gramsAt(plate, t + (i * 1000) / hz) + rng.gauss(0, 0.4);
      return Math.round(g * 10) / 10;
    });
    return [t, { topic: topic('plates', plate, 'weight'), payload: { v: 1, ts: t, hz, grams } }];
  };
  for (let t = start; t <= end; t += 1000) plateMsgs.push(batch('p1', t, 1, 1));
  // p2 reports by exception: quiet once a second, 60 Hz batches of 12 from 0.5 s before the pick to 2.5 s after.
  for (let t = start; t < pickAt - 500; t += 1000) plateMsgs.push(batch('p2', t, 1, 1));
  for (let t = pickAt - 500; t < pickAt + 2_500; t += 200) plateMsgs.push(batch('p2', t, 60, 12));
  for (let t = pickAt + 2_500; t <= end; t += 1000) plateMsgs.push(batch('p2', t, 1, 1));
  const gate = (t: number, kind: 'scan' | 'pass', body: Record<string, unknown>): [number, WireMessage] => [
    t,
    { topic: topic('gates', 'door', kind), payload: { v: 1, ts: t, ...body } },
  ];
  const events: [number, WireMessage][] = [
    gate(start + 5_000, 'scan', { code: options.code ?? 'demo:alice:1' }),
    gate(start + 7_000, 'pass', { direction: 'in' }),
    gate(start + 40_000, 'pass', { direction: 'out' }),
    ...plateMsgs,
  ];
  events.sort((a, b) => a[0] - b[0]);
  for (const [, m] of events) out.push(m);
  return out;
}

/** Polls `check` until it returns a value (not undefined/false) or `ms` pass. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 3_000, what = 'condition'): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
