/**
 * How people move, one 100 ms step at a time: queue at a gate, cross it, walk the aisles (slowing behind others),
 * stand at plates and reach with one hand, wait for each other, hand items over, leave through an exit gate.
 * Gate crossings are emitted here with the exact crossing time.
 */
import { topicFor } from '../protocol/topics.ts';
import { laneOf } from '../store/lanes.ts';
import type { GateDef, Vec2, Vec3 } from '../store/schema.ts';
import type { PlateInfo } from '../store/store.ts';
import { applyPlateAction, chooseSku, dropOnFloor, handOver } from './actions.ts';
import { plateHandPoint } from './geometry.ts';
import { freeSpotNear, freeStandingSpot, isTaken, MIN_GAP } from './spacing.ts';
import type { Person, Stop, World } from './world.ts';

const REACH_OUT_MS = 400;
const SYNC_TIMEOUT_MS = 90_000;
/** Body centres at most this far apart (m) can pass an item hand to hand. */
const HAND_REACH_M = 1.5;
/** A leaver this close to the exit lane's mouth steps in (half the personal-space gap, plus a little). */
const EXIT_REACH = 0.3;
/** A leaver held this close to the mouth for EXIT_STALL_MS steps in anyway: someone is standing on it. */
const EXIT_NEAR = 0.8;
const EXIT_STALL_MS = 8000;
/** Whoever stepped into a gate lane before must be this far ahead before the next one follows. */
const LANE_GAP = 0.7;

export function gateFrame(gate: GateDef): { mid: Vec2; inward: Vec2; along: Vec2 } {
  const [[ax, ay], [bx, by]] = gate.line;
  const len = Math.hypot(bx - ax, by - ay);
  const along: Vec2 = [(bx - ax) / len, (by - ay) / len];
  // "in" is to the left walking from a to b.
  return { mid: [(ax + bx) / 2, (ay + by) / 2], inward: [-along[1], along[0]], along };
}

/** Fraction along from→to where the path crosses the gate's line within its span, or null. */
function crossing(gate: GateDef, from: Vec2, to: Vec2): number | null {
  const { mid, inward, along } = gateFrame(gate);
  const side = (p: Vec2) => (p[0] - mid[0]) * inward[0] + (p[1] - mid[1]) * inward[1];
  const s0 = side(from);
  const s1 = side(to);
  if (s0 === s1 || Math.sign(s0) === Math.sign(s1)) return null;
  const f = s0 / (s0 - s1);
  const x: Vec2 = [from[0] + (to[0] - from[0]) * f, from[1] + (to[1] - from[1]) * f];
  const half = Math.hypot(gate.line[1][0] - gate.line[0][0], gate.line[1][1] - gate.line[0][1]) / 2 + 0.3;
  return Math.abs((x[0] - mid[0]) * along[0] + (x[1] - mid[1]) * along[1]) <= half ? f : null;
}

function emitPass(w: World, p: Person, gateId: string, ts: number, direction: 'in' | 'out'): void {
  w.emit({ topic: topicFor(w.store.def.id, 'gate.pass', gateId), payload: { v: 1, ts: Math.round(ts), direction } });
  if (direction === 'in' && p.role === 'tailgater') w.truth.hardCase('tailgater', ts);
  w.truth.passed(p.id, direction, ts);
  const visit = p.party.visit ? w.truth.visits.get(p.party.visit) : undefined;
  if (!visit) return;
  if (direction === 'in') visit.entered = Math.min(visit.entered || Number.POSITIVE_INFINITY, Math.round(ts));
  else
    w.truth.carriedOut(
      visit.visit,
      p.carry.map((u) => u.sku),
      ts,
    );
}

/** Moves towards `target` at up to `speed`; returns true on arrival. Updates heading and walking phase. */
function moveTo(p: Person, target: Vec2, speed: number, dt: number): boolean {
  const dx = target[0] - p.x;
  const dy = target[1] - p.y;
  const d = Math.hypot(dx, dy);
  const step = speed * dt;
  if (d <= step || d < 1e-6) {
    p.x = target[0];
    p.y = target[1];
    return true;
  }
  p.x += (dx / d) * step;
  p.y += (dy / d) * step;
  p.heading = Math.atan2(dy, dx);
  p.phase += (2 * Math.PI * step) / 1.4;
  p.stride = Math.min(1, speed / 1.1);
  return false;
}

/** Slows down behind someone close ahead; gives up waiting after 2.5 s so nobody deadlocks. */
function speedFactor(w: World, p: Person, dt: number): number {
  const fx = Math.cos(p.heading);
  const fy = Math.sin(p.heading);
  for (const q of w.people) {
    if (q === p || q.state === 'pending' || q.state === 'gone') continue;
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    if (Math.abs(dx) > 0.7 || Math.abs(dy) > 0.7) continue;
    if (dx * dx + dy * dy < 0.45 && dx * fx + dy * fy > 0.15) {
      p.blockedMs += dt * 1000;
      if (p.blockedMs > 2500) {
        p.blockedMs = 0;
        return 1;
      }
      return 0.3;
    }
  }
  return 1;
}

export function stepPerson(w: World, p: Person, t: number, dt: number): void {
  const end = t + dt * 1000;
  switch (p.state) {
    case 'pending':
    case 'gone':
      return;
    case 'queued':
      p.stride = 0;
      if (end >= p.enterAt) p.state = 'entering';
      return;
    case 'entering':
      if (throughGate(w, p, p.gateTo, p.party.entryGate, 'in', t, dt)) p.state = 'inside';
      return;
    case 'inside':
      stepInside(w, p, t, dt);
      return;
    case 'leaving': {
      const path = p.activity?.path ?? [];
      const next = path[0];
      if (!next || (path.length === 1 && atExitLane(p, next, t))) {
        // One at a time through the lane: wait until whoever went before is a step ahead.
        if (laneFree(w, p)) p.state = 'exiting';
        return;
      }
      if (passOccupiedWaypoint(w, p, path)) return;
      if (moveTo(p, next, p.speed * speedFactor(w, p, dt), dt)) path.shift();
      return;
    }
    case 'exiting':
      if (throughGate(w, p, p.gateFrom, p.party.exitGate, 'out', t, dt)) p.state = 'gone';
      return;
  }
}

/** One step through a gate's lane towards `to`; the gate's beam counts the body as it crosses the line. */
function throughGate(w: World, p: Person, to: Vec2, gateId: string, direction: 'in' | 'out', t: number, dt: number) {
  const from: Vec2 = [p.x, p.y];
  const arrived = moveTo(p, to, 1.2, dt);
  const f = crossing(w.store.gates.get(gateId)!, from, [p.x, p.y]);
  if (f !== null) emitPass(w, p, gateId, t + f * dt * 1000, direction);
  return arrived;
}

function stepInside(w: World, p: Person, t: number, dt: number): void {
  const end = t + dt * 1000;
  if (!p.activity) {
    const stop = p.agenda.shift();
    if (!stop) {
      leave(w, p);
      return;
    }
    p.activity = startStop(w, p, stop, t);
  }
  const a = p.activity;
  if (!a) return;
  p.stride = 0;
  switch (a.kind) {
    case 'walk': {
      const next = a.path?.[0];
      if (!next) {
        p.activity = arrive(w, p, a.stop!, end);
        return;
      }
      if (a.path!.length === 1 && nearOccupiedTarget(w, p, a, next, dt)) return;
      if (passOccupiedWaypoint(w, p, a.path!)) return;
      if (moveTo(p, next, p.speed * speedFactor(w, p, dt), dt)) a.path!.shift();
      return;
    }
    case 'wait':
      if (end >= a.until!) p.activity = null;
      return;
    case 'sync': {
      const stop = a.stop as Extract<Stop, { kind: 'plate' | 'meet' }>;
      const sync = stop.sync!;
      if (sync.release === null && end - a.until! > SYNC_TIMEOUT_MS) {
        // The other side never came: go ahead alone; the hard case did not happen.
        sync.release = -1;
        sync.tags = [];
      }
      if (sync.release === null) return;
      const go = sync.release < 0 ? end : sync.release + (stop.kind === 'plate' ? (stop.delay ?? 0) : 0);
      if (end >= go) p.activity = stop.kind === 'plate' ? reach(w, stop, end) : handoff(stop, end);
      return;
    }
    case 'reach':
    case 'handoff':
    case 'drop':
      stepHands(w, p, a, end);
      return;
  }
}

/** A waypoint on the way that someone stands on is skipped once close, instead of circling round them. */
function passOccupiedWaypoint(w: World, p: Person, path: Vec2[]): boolean {
  const next = path[0];
  if (!next || path.length < 2 || Math.hypot(next[0] - p.x, next[1] - p.y) > 0.8) return false;
  if (!isTaken(w, p, next)) return false;
  path.shift();
  return false;
}

/**
 * Close to the last waypoint: a plate spot someone already stands on moves beside it along the fixture; a spot
 * still taken after 5 s is given up and the walker stands where they are (nearby, never on top of anyone).
 */
function nearOccupiedTarget(
  w: World,
  p: Person,
  a: NonNullable<Person['activity']>,
  target: Vec2,
  dt: number,
): boolean {
  const d = Math.hypot(target[0] - p.x, target[1] - p.y);
  if (d > 1.2) return false;
  if (!isTaken(w, p, target)) return false;
  if (a.stop?.kind === 'plate' && a.until === undefined) {
    // Once per stop: look for a free spot beside the planned one.
    a.until = 0;
    a.path![0] = freeStandingSpot(w, p, a.stop, target);
    if (!isTaken(w, p, a.path![0])) return false;
  }
  if (d > MIN_GAP + 0.2) return false;
  p.blockedMs += dt * 1000;
  if (p.blockedMs < 5000) return true;
  p.blockedMs = 0;
  a.path!.length = 0;
  return true;
}

function startStop(w: World, p: Person, stop: Stop, t: number): Person['activity'] {
  if (stop.kind === 'browse') {
    // Browse off the gate lane and off anyone else's spot: the first pause right inside the entry would otherwise
    // put every shopper on the same point.
    const nearGate = Math.hypot(p.x - p.gateTo[0], p.y - p.gateTo[1]) < 0.8;
    if (nearGate || isTaken(w, p, [p.x, p.y])) {
      const { inward, along } = gateFrame(w.store.gates.get(p.party.entryGate)!);
      const depth = nearGate ? w.rng.uniform(0.6, 1.6) : 0;
      const side = nearGate ? w.rng.uniform(-1, 1) : 0;
      const want: Vec2 = [p.x + inward[0] * depth + along[0] * side, p.y + inward[1] * depth + along[1] * side];
      const at = freeSpotNear(w, p, w.grid.isFree(want) ? want : w.grid.nearestFree(want));
      return { kind: 'walk', stop, path: w.grid.path([p.x, p.y], at) };
    }
    return { kind: 'wait', until: t + stop.ms };
  }
  if (stop.kind === 'drop') {
    return { kind: 'drop', stop, times: { out: t, in: t + 500, change: t + 600, back: t + 900, done: t + 1300 } };
  }
  const target = stop.kind === 'meet' ? stop.point : standPoint(w, stop);
  return { kind: 'walk', stop, path: w.grid.path([p.x, p.y], target) };
}

function standPoint(w: World, stop: Extract<Stop, { kind: 'plate' }>): Vec2 {
  const info = w.store.plates.get(stop.plateId)!;
  const hand = plateHandPoint(info, 0.42, 0, stop.along);
  return w.grid.isFree([hand[0], hand[1]]) ? [hand[0], hand[1]] : w.grid.nearestFree([hand[0], hand[1]]);
}

/** At the stop's place: face the shelf (or the other person), then wait for the others or act. */
function arrive(w: World, p: Person, stop: Stop, now: number): Person['activity'] {
  if (stop.kind === 'plate') {
    const [fx, fy] = w.store.plates.get(stop.plateId)!.fixture.facing;
    p.heading = Math.atan2(-fy, -fx);
  } else if (stop.kind === 'meet') {
    p.heading = Math.atan2(stop.face[1], stop.face[0]);
  }
  const sync = stop.kind === 'plate' || stop.kind === 'meet' ? stop.sync : undefined;
  if (sync) {
    sync.arrived.add(p.id);
    if (sync.release === null && sync.arrived.size >= sync.need) {
      sync.release = now + 300;
      for (const c of sync.tags) w.truth.hardCase(c, now + 300);
    }
    return { kind: 'sync', stop, until: now };
  }
  if (stop.kind === 'browse') return { kind: 'wait', until: now + stop.ms };
  return stop.kind === 'plate' ? reach(w, stop, now) : null;
}

/**
 * Where along the plate a hand goes, from a uniform draw `u`: into the product's lane on a multi-SKU plate (clear of
 * its edges), else anywhere in the middle half (a single product, or an item put where it does not belong).
 */
function reachAlong(info: PlateInfo, sku: string | undefined, u: number): number {
  const lane = sku === undefined ? undefined : laneOf(info, sku);
  if (!lane) return 0.25 + 0.5 * u;
  const [from, to] = lane;
  const margin = (to - from) * LANE_MARGIN;
  return from + margin + (to - from - 2 * margin) * u;
}

/** Share of a lane's width at each side that a reach into it keeps clear of. */
const LANE_MARGIN = 0.2;

function reach(w: World, stop: Extract<Stop, { kind: 'plate' }>, now: number): Person['activity'] {
  const info = w.store.plates.get(stop.reachPlateId ?? stop.plateId)!;
  // Synchronised reaches (races, crossing arms) are quick grabs, so the weight changes land within a second.
  const hold = stop.sync ? w.rng.uniform(1000, 1500) : w.rng.uniform(1000, 3000);
  const tIn = now + REACH_OUT_MS;
  const times = {
    out: now,
    in: tIn,
    change: tIn + (stop.sync ? w.rng.uniform(350, 650) : w.rng.uniform(300, hold - 300)),
    back: tIn + hold,
    done: tIn + hold + REACH_OUT_MS,
  };
  const out = w.rng.uniform(0.03, 0.2);
  const up = w.rng.uniform(0.06, 0.2);
  // The hand goes for what it will take: a shopper finding a lane empty reaches into another product's lane.
  if (stop.action === 'pick') stop.sku = chooseSku(w, info.plate.id, stop) ?? stop.sku;
  const target = plateHandPoint(info, out, up, reachAlong(info, stop.sku, w.rng.next()));
  // Silent-plate fault: the next reach after a planned time silences its plate through the change.
  const due = w.silentPlan[0];
  if (due !== undefined && now >= due && stop.action !== 'touch') {
    w.silentPlan.shift();
    const to = times.change + w.rng.uniform(3000, 8000);
    w.silent.set(info.plate.id, { from: now, to });
    w.truth.faults.push({ deviceId: info.plate.id, from: Math.round(now), to: Math.round(to), kind: 'silent-plate' });
    w.truth.hardCase('silent-plate', now);
  }
  return { kind: 'reach', stop, times, target };
}

/** Both people reach to the midpoint between them (`face` points at the other): their hands meet there. */
function handoff(stop: Extract<Stop, { kind: 'meet' }>, now: number): Person['activity'] {
  const target: Vec3 = [stop.point[0] + stop.face[0] / 2, stop.point[1] + stop.face[1] / 2, 1.0];
  return {
    kind: 'handoff',
    stop,
    target,
    times: { out: now, in: now + 500, change: now + 900, back: now + 1300, done: now + 1800 },
  };
}

/** An item is handed over only when the other one came (the meeting was not given up) and stands within reach. */
function withinReach(p: Person, stop: Extract<Stop, { kind: 'meet' }>): boolean {
  const to = stop.give?.to;
  return stop.sync.release !== -1 && to !== undefined && Math.hypot(to.x - p.x, to.y - p.y) <= HAND_REACH_M;
}

/** Moves the working hand along its timeline and applies the effect once, when the hand is in. */
function stepHands(w: World, p: Person, a: NonNullable<Person['activity']>, now: number): void {
  const times = a.times!;
  const stop = a.stop!;
  const target: Vec3 = a.target ?? [p.x + Math.cos(p.heading) * 0.3, p.y + Math.sin(p.heading) * 0.3, 0.55];
  const hand = stop.kind === 'plate' && stop.hand ? stop.hand : sideOf(p, target);
  const s =
    now < times.in
      ? (now - times.out) / (times.in - times.out)
      : now < times.back
        ? 1
        : 1 - (now - times.back) / (times.done - times.back);
  const rest: Vec3 = restWrist(p, hand);
  const k = smooth(Math.min(1, Math.max(0, s)));
  const wrist: Vec3 = [
    rest[0] + (target[0] - rest[0]) * k,
    rest[1] + (target[1] - rest[1]) * k,
    rest[2] + (target[2] - rest[2]) * k,
  ];
  p.leftReach = hand === 'left' ? wrist : null;
  p.rightReach = hand === 'right' ? wrist : null;
  if (!a.applied && now >= times.in) {
    a.applied = true;
    if (stop.kind === 'plate') applyPlateAction(w, p, stop, times.in, times.change, times.back);
    else if (stop.kind === 'meet' && stop.give && withinReach(p, stop)) handOver(w, p, stop.give.to, times.change);
    else if (stop.kind === 'drop') dropOnFloor(w, p, times.change, stop.tags);
  }
  if (now >= times.done) {
    p.leftReach = null;
    p.rightReach = null;
    if ((stop.kind === 'plate' || stop.kind === 'meet') && stop.endsScript) p.scripted = false;
    p.activity = null;
  }
}

function sideOf(p: Person, target: Vec3): 'left' | 'right' {
  const fx = Math.cos(p.heading);
  const fy = Math.sin(p.heading);
  return fx * (target[1] - p.y) - fy * (target[0] - p.x) >= 0 ? 'left' : 'right';
}

function restWrist(p: Person, hand: 'left' | 'right'): Vec3 {
  const side = hand === 'left' ? 1 : -1;
  const lx = -Math.sin(p.heading);
  const ly = Math.cos(p.heading);
  return [p.x + lx * side * 0.2 * (p.height / 1.7), p.y + ly * side * 0.2 * (p.height / 1.7), 0.48 * p.height];
}

const smooth = (x: number) => x * x * (3 - 2 * x);

/**
 * Close enough to the exit lane's mouth to step in: within EXIT_REACH of it (people queueing there keep 0.48 m
 * apart, so the exact point may be unreachable), or held within EXIT_NEAR of it for EXIT_STALL_MS by someone
 * standing on it. The stall clock lives in the leaving walk's `until`.
 */
function atExitLane(p: Person, mouth: Vec2, t: number): boolean {
  const d = Math.hypot(mouth[0] - p.x, mouth[1] - p.y);
  if (d <= EXIT_REACH) return true;
  const a = p.activity!;
  if (d > EXIT_NEAR) {
    a.until = undefined;
    return false;
  }
  a.until ??= t;
  return t - a.until >= EXIT_STALL_MS;
}

/** Nobody else in this gate's lane within LANE_GAP of `p` (crossing either way), so `p` may step in. */
function laneFree(w: World, p: Person): boolean {
  const gate = p.party.exitGate;
  for (const q of w.people) {
    if (q === p) continue;
    const inLane =
      (q.state === 'exiting' && q.party.exitGate === gate) || (q.state === 'entering' && q.party.entryGate === gate);
    if (inLane && Math.hypot(q.x - p.x, q.y - p.y) < LANE_GAP) return false;
  }
  return true;
}

function leave(w: World, p: Person): void {
  const gate = w.store.gates.get(p.party.exitGate)!;
  const { mid, inward } = gateFrame(gate);
  const inside: Vec2 = [mid[0] + inward[0] * 0.7, mid[1] + inward[1] * 0.7];
  p.gateFrom = [mid[0] - inward[0] * 0.8, mid[1] - inward[1] * 0.8];
  p.state = 'leaving';
  p.activity = { kind: 'walk', path: w.grid.path([p.x, p.y], inside) };
}
