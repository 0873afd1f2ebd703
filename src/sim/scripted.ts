/**
 * Coordinated hard cases, arranged while the run goes: at the planned time two free shoppers (from different
 * parties) are sent to the same plate, to neighbouring plates, to cross arms, or to meet for a handoff; a
 * misplaced item is later picked by someone else. Participants wait for each other (a Sync) before acting.
 */
import type { Vec2 } from '../store/schema.ts';
import { stockOf } from './actions.ts';
import { plateHandPoint } from './geometry.ts';
import type { ScriptedKind } from './plan.ts';
import type { HardCase } from './truth.ts';
import type { Person, Stop, Sync, World } from './world.ts';

const RETRY_MS = 5000;
const EXPIRE_MS = 10 * 60_000;
/** Share of misplaced items that someone later picks from the wrong plate. */
const MISPLACED_PICK_P = 0.8;

export interface PendingCase {
  t: number;
  kind: ScriptedKind | 'misplaced-pick';
  firstTry: number;
  plateId?: string;
  sku?: string;
  by?: string;
}

/** Adults inside and not already in a scripted case; `busy` ones still have stops planned (they will not leave). */
function free(w: World, busy = true): Person[] {
  return w.people.filter(
    (p) =>
      p.state === 'inside' &&
      !p.scripted &&
      !p.child &&
      (p.role === 'shopper' || p.role === 'guest') &&
      (!busy || p.agenda.length > 0),
  );
}

function stocked(w: World, plateId: string, units = 1): boolean {
  const info = w.store.plates.get(plateId)!;
  return info.plate.skus.some((sku) => stockOf(w, plateId, sku) >= units);
}

/** The stocked plate (with a stocked neighbour when asked) nearest to a floor point. */
function nearestPlate(w: World, at: Vec2, needNeighbour: boolean, units: number): string | null {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const [id, info] of w.store.plates) {
    if (!stocked(w, id, units) || info.plate.box.min[2] > 1.45) continue;
    if (needNeighbour && !info.neighbours.some((n) => stocked(w, n))) continue;
    const h = plateHandPoint(info, 0.4, 0);
    const d = Math.hypot(h[0] - at[0], h[1] - at[1]);
    if (d < bestD) {
      bestD = d;
      best = id;
    }
  }
  return best;
}

function newSync(need: number, tags: HardCase[]): Sync {
  return { id: tags.join('+') || 'meet', need, arrived: new Set(), release: null, tags };
}

/** Tries to start a pending case now; returns false to retry later. */
export function tryStart(w: World, c: PendingCase): boolean {
  const people = free(w, c.kind !== 'misplaced-pick');
  if (c.kind === 'misplaced-pick') {
    const taker = people.find((p) => p.id !== c.by) ?? people[0];
    if (!taker) return false;
    taker.scripted = true;
    taker.agenda.unshift({
      kind: 'plate',
      plateId: c.plateId!,
      action: 'misplaced-pick',
      sku: c.sku!,
      qty: 1,
      along: w.rng.uniform(0.3, 0.7),
      tags: ['misplaced-pick'],
      endsScript: true,
    });
    return true;
  }
  const pair = choosePair(w, people);
  if (!pair) return false;
  const [a, b] = pair;
  const mid: Vec2 = [(a.x + b.x) / 2, (a.y + b.y) / 2];
  const needNeighbour = c.kind !== 'same-plate-race' && c.kind !== 'handoff';
  const plateId = nearestPlate(w, mid, needNeighbour, c.kind === 'same-plate-race' ? 2 : 1);
  if (!plateId) return false;
  const info = w.store.plates.get(plateId)!;
  const neighbour = info.neighbours.find((n) => stocked(w, n)) ?? plateId;
  const base = { kind: 'plate' as const, action: 'pick' as const, qty: 1, endsScript: true };
  const quick = () => w.rng.uniform(0, 500);
  let stopsA: Stop[];
  let stopsB: Stop[];
  switch (c.kind) {
    case 'same-plate-race': {
      const sync = newSync(2, ['same-plate-race']);
      stopsA = [{ ...base, plateId, along: 0.15, sync, delay: 0, tags: [] }];
      stopsB = [{ ...base, plateId, along: 0.85, sync, delay: quick(), tags: [] }];
      break;
    }
    case 'adjacent-plate-race': {
      const sync = newSync(2, ['adjacent-plate-race']);
      stopsA = [{ ...base, plateId, along: 0.5, sync, delay: 0, tags: [] }];
      stopsB = [{ ...base, plateId: neighbour, along: 0.5, sync, delay: quick(), tags: [] }];
      break;
    }
    case 'shoulder-to-shoulder': {
      // Standing side by side across the plate boundary, each taking from their own plate.
      const sync = newSync(2, ['shoulder-to-shoulder']);
      // Each stands 0.25 m from the shared edge: shoulders ~0.5 m apart, the closest two people can stand.
      const wA = plateWidth(w, plateId);
      const wB = plateWidth(w, neighbour);
      const [near, far] =
        info.index < (w.store.plates.get(neighbour)?.index ?? 0)
          ? [1 - 0.25 / wA, 0.25 / wB]
          : [0.25 / wA, 1 - 0.25 / wB];
      stopsA = [{ ...base, plateId, along: near, sync, delay: w.rng.uniform(0, 1500), tags: [] }];
      stopsB = [{ ...base, plateId: neighbour, along: far, sync, delay: w.rng.uniform(0, 1500), tags: [] }];
      break;
    }
    case 'crossing-arms': {
      // Each reaches into the plate in front of the other: the arms cross.
      const sync = newSync(2, ['crossing-arms']);
      stopsA = [{ ...base, plateId, reachPlateId: neighbour, along: 0.5, sync, delay: 0, tags: [] }];
      stopsB = [{ ...base, plateId: neighbour, reachPlateId: plateId, along: 0.5, sync, delay: quick(), tags: [] }];
      break;
    }
    case 'handoff': {
      const sync = newSync(2, []);
      const hand = plateHandPoint(info, 0.9, 0);
      const meet = w.grid.nearestFree([hand[0], hand[1]]);
      const along = shelfDirection(w, plateId);
      const pa: Vec2 = w.grid.nearestFree([meet[0] - along[0] * 0.35, meet[1] - along[1] * 0.35]);
      const pb: Vec2 = w.grid.nearestFree([meet[0] + along[0] * 0.35, meet[1] + along[1] * 0.35]);
      const face: Vec2 = [pb[0] - pa[0], pb[1] - pa[1]];
      stopsA = [
        { kind: 'plate', plateId, action: 'pick', qty: 1, along: 0.5, tags: [] },
        { kind: 'meet', point: pa, face, sync, give: { to: b, qty: 1 }, endsScript: true },
      ];
      stopsB = [{ kind: 'meet', point: pb, face: [-face[0], -face[1]], sync, endsScript: true }];
      break;
    }
  }
  a.scripted = true;
  b.scripted = true;
  a.agenda.unshift(...stopsA);
  b.agenda.unshift(...stopsB);
  return true;
}

/** Two free people from different parties, the closest such pair (so the meeting happens soon). */
function choosePair(w: World, people: Person[]): [Person, Person] | null {
  let best: [Person, Person] | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (let i = 0; i < people.length; i++) {
    for (let j = i + 1; j < people.length; j++) {
      const a = people[i]!;
      const b = people[j]!;
      if (a.party === b.party) continue;
      const d = Math.hypot(a.x - b.x, a.y - b.y) + w.rng.uniform(0, 2);
      if (d < bestD) {
        bestD = d;
        best = [a, b];
      }
    }
  }
  return best;
}

/** Unit vector along the plate's shelf (from lower to higher plate index). */
function shelfDirection(w: World, plateId: string): Vec2 {
  const [fx, fy] = w.store.plates.get(plateId)!.fixture.facing;
  return Math.abs(fx) > Math.abs(fy) ? [0, 1] : [1, 0];
}

/** Runs due cases each step; failed starts retry every 5 s and expire after 10 minutes. */
export function runScripted(w: World, pending: PendingCase[], now: number): void {
  for (const m of w.misplaced.splice(0)) {
    // The first misplaced item of a run is always picked up later, so every run shows the case.
    if (!w.misplacedSeen || w.rng.chance(MISPLACED_PICK_P)) {
      w.misplacedSeen = true;
      const t = m.t + w.rng.uniform(10_000, 60_000);
      pending.push({ t, kind: 'misplaced-pick', firstTry: t, plateId: m.plateId, sku: m.sku, by: m.by });
    }
  }
  for (let i = 0; i < pending.length; i++) {
    const c = pending[i]!;
    if (c.t > now) continue;
    if (tryStart(w, c) || now - c.firstTry > EXPIRE_MS) {
      pending.splice(i, 1);
      i--;
    } else c.t = now + RETRY_MS;
  }
}

/** Length of a plate's front, m. */
function plateWidth(w: World, plateId: string): number {
  const info = w.store.plates.get(plateId)!;
  const a = plateHandPoint(info, 0, 0, 0);
  const b = plateHandPoint(info, 0, 0, 1);
  return Math.max(0.3, Math.hypot(b[0] - a[0], b[1] - a[1]));
}
