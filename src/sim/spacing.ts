/**
 * Personal space: people never share floor. After everyone has moved in a step, anyone inside whose body centre
 * is closer than `MIN_GAP` to another's is moved apart (a walker sidesteps round a standing person; two standing or
 * two walking people both give way; two leaving through one gate queue, the one nearer the gate going first), and a
 * walker about to stand at an occupied spot picks one beside it along the fixture. Deterministic: people are
 * visited in their fixed order and nothing random is drawn.
 */
import type { Vec2 } from '../store/schema.ts';
import { plateHandPoint } from './geometry.ts';
import type { Person, Stop, World } from './world.ts';

/** Closest two body centres may come (shoulders are ~0.4 m wide; shoulder to shoulder is ~0.45–0.6 m). */
export const MIN_GAP = 0.48;

/** States in which a person is on the shop floor and can be nudged; people in the gate lanes only block. */
const movable = (p: Person) => p.state === 'inside' || p.state === 'leaving';
const present = (p: Person) => p.state !== 'pending' && p.state !== 'gone';
const walking = (p: Person) => p.state === 'leaving' || p.activity?.kind === 'walk';

/** Pushes overlapping pairs apart; a few passes so chains of people settle. */
export function keepApart(w: World): void {
  const ps = w.people.filter(present);
  for (let pass = 0; pass < 3; pass++) {
    let moved = false;
    for (let i = 0; i < ps.length; i++) {
      for (let j = i + 1; j < ps.length; j++) moved = separate(w, ps[i]!, ps[j]!) || moved;
    }
    if (!moved) return;
  }
}

function separate(w: World, a: Person, b: Person): boolean {
  let dx = b.x - a.x;
  let dy = b.y - a.y;
  if (Math.abs(dx) >= MIN_GAP || Math.abs(dy) >= MIN_GAP) return false;
  let d = Math.hypot(dx, dy);
  if (d >= MIN_GAP) return false;
  if (d < 1e-6) {
    // Exactly on top of each other: part them along the second one's heading (fixed, so deterministic).
    dx = Math.cos(b.heading);
    dy = Math.sin(b.heading);
    d = 1;
  }
  const ux = dx / d;
  const uy = dy / d;
  const need = MIN_GAP - d + 1e-3;
  const canA = movable(a);
  const canB = movable(b);
  if (!canA && !canB) return false;
  // Two leaving for one gate queue: whoever is nearer the gate goes first and the other waits behind, without
  // sidestepping round them. (Both giving half made them orbit the lane's mouth forever.)
  const queue = exitQueue(a, b);
  let shareA = shareOf(a, b, canA, canB, queue);
  const sidestep = queue === 0;
  let movedA = shareA > 0 && nudge(w, a, -ux, -uy, need * shareA, sidestep);
  let movedB = shareA < 1 && nudge(w, b, ux, uy, need * (1 - shareA), sidestep);
  // Blocked by a fixture: the other one takes the whole step if they can.
  if (!movedA && shareA > 0 && canB) {
    shareA = 0;
    movedB = nudge(w, b, ux, uy, need, sidestep);
  } else if (!movedB && shareA < 1 && canA) {
    movedA = nudge(w, a, -ux, -uy, need, sidestep);
  }
  return movedA || movedB;
}

/** How much of the step apart `a` takes (the rest is `b`'s). */
function shareOf(a: Person, b: Person, canA: boolean, canB: boolean, queue: number): number {
  if (!canA || !canB) return canA ? 1 : 0;
  if (queue !== 0) return queue > 0 ? 0 : 1;
  // A walker gives way to someone standing; otherwise both give half.
  if (walking(a) === walking(b)) return 0.5;
  return walking(a) ? 1 : 0;
}

/**
 * Who goes first when two people leave through the same gate: 1 if `a` (nearer the gate, measured to the point
 * outside it both walk to; a tie within 1 cm goes to `a`, the earlier in the fixed order), -1 if `b`, 0 if they
 * are not both leaving for one gate.
 */
function exitQueue(a: Person, b: Person): number {
  if (a.state !== 'leaving' || b.state !== 'leaving' || a.party.exitGate !== b.party.exitGate) return 0;
  const da = Math.hypot(a.gateFrom[0] - a.x, a.gateFrom[1] - a.y);
  const db = Math.hypot(b.gateFrom[0] - b.x, b.gateFrom[1] - b.y);
  return da <= db + 0.01 ? 1 : -1;
}

/**
 * Moves `p` by `dist` along (ux, uy), or the nearest direction that stays on free floor (sliding along a fixture).
 * A walker pushed back head-on steps to its right (else left) to get round, unless it is queueing.
 */
function nudge(w: World, p: Person, ux: number, uy: number, dist: number, sidestep: boolean): boolean {
  const fx = Math.cos(p.heading);
  const fy = Math.sin(p.heading);
  const headOn = sidestep && walking(p) && ux * fx + uy * fy < -0.7;
  const tries: Vec2[] = headOn ? [side(ux + fy, uy - fx), side(ux - fy, uy + fx)] : [];
  tries.push([ux, uy], [Math.sign(ux) * 1e-9 + ux, 0], [0, uy]);
  for (const [vx, vy] of tries) {
    const n = Math.hypot(vx, vy);
    if (n < 0.2) continue;
    const to: Vec2 = [p.x + (vx / n) * dist, p.y + (vy / n) * dist];
    if (!w.grid.isFree(to)) continue;
    p.x = to[0];
    p.y = to[1];
    return true;
  }
  return false;
}

const side = (x: number, y: number): Vec2 => [x, y];

/** Is anyone else standing (or about to stand) within MIN_GAP of `at`? */
export function isTaken(w: World, self: Person, at: Vec2): boolean {
  for (const q of w.people) {
    if (q === self || !present(q)) continue;
    if (
      Math.abs(q.x - at[0]) < MIN_GAP &&
      Math.abs(q.y - at[1]) < MIN_GAP &&
      Math.hypot(q.x - at[0], q.y - at[1]) < MIN_GAP
    )
      return true;
  }
  return false;
}

/**
 * Where to stand for a plate stop given who is already there: the planned spot if free, else the nearest free
 * spot beside it along the fixture (up to 1 m either way), so a race at one plate reaches in from beside.
 */
export function freeStandingSpot(w: World, p: Person, stop: Extract<Stop, { kind: 'plate' }>, planned: Vec2): Vec2 {
  if (!isTaken(w, p, planned)) return planned;
  const info = w.store.plates.get(stop.plateId)!;
  const a = plateHandPoint(info, 0.42, 0, 0);
  const b = plateHandPoint(info, 0.42, 0, 1);
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  const ax = (b[0] - a[0]) / len;
  const ay = (b[1] - a[1]) / len;
  for (const k of [1, -1, 2, -2, 3, -3, 4, -4]) {
    const s = k * 0.25;
    const at: Vec2 = [planned[0] + ax * s, planned[1] + ay * s];
    if (w.grid.isFree(at) && !isTaken(w, p, at)) return at;
  }
  return planned;
}

/** A free place to browse near `at`: the spot itself or one of a ring around it. */
export function freeSpotNear(w: World, p: Person, at: Vec2): Vec2 {
  if (!isTaken(w, p, at)) return at;
  for (const r of [0.6, 1.0]) {
    for (let k = 0; k < 8; k++) {
      const ang = (k * Math.PI) / 4;
      const c: Vec2 = [at[0] + Math.cos(ang) * r, at[1] + Math.sin(ang) * r];
      if (w.grid.isFree(c) && !isTaken(w, p, c)) return c;
    }
  }
  return at;
}
