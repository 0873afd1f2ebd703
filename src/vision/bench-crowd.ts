/**
 * Shopper plans for the vision benchmark: enter, walk the aisles in lanes (keep right), stop at free spots
 * in front of shelves and reach in, then leave by the exit. The plans are then played out together in
 * 50 ms steps with a simple social force, so shoppers sidestep each other instead of walking through one
 * another (no tracker could tell apart two people standing on the same spot, and no real people do).
 */

import type { Rng } from '../sim/random.ts';
import type { Vec2, Vec3 } from '../store/schema.ts';
import type { Body } from './synthetic.ts';

export interface CrowdLayout {
  width: number;
  /** y of each gondola row's centre (rows 1 m deep, spanning x 1 … width − 1, facing −y). */
  rows: number[];
  entryX: [number, number];
  exitX: [number, number];
}

/** Walk to a point, or stand there for a while reaching into a shelf. */
type Action = { to: Vec2 } | { dwell: number; reach: { side: 'left' | 'right'; target: Vec3 } };

export interface ShopperPlan {
  start: number;
  speed: number;
  actions: Action[];
  scale: number;
}

/** A played-out shopper: positions every STEP_MS from `start`, and the reaching windows. */
export interface Shopper {
  plan: ShopperPlan;
  start: number;
  xy: Float64Array;
  steps: number;
  reaches: { from: number; to: number; side: 'left' | 'right'; target: Vec3 }[];
}

interface Reservation {
  row: number;
  x: number;
  from: number;
  to: number;
}

const LANE_OFFSET = 0.25;
const STAND_FROM_FRONT = 0.45;
const LANE_FROM_STAND = 0.8;

/** Plans shoppers one after another (later ones avoid spots earlier ones reserved), then plays them out. */
export function planCrowd(layout: CrowdLayout, count: number, t0: number, random: Rng): Shopper[] {
  const reservations: Reservation[] = [];
  const plans = Array.from({ length: count }, (_, i) => planShopper(layout, t0 + i * 1500, random, reservations));
  return simulate(plans, t0);
}

function planShopper(layout: CrowdLayout, start: number, random: Rng, reservations: Reservation[]): ShopperPlan {
  const { width: W, rows } = layout;
  const actions: Action[] = [];
  let t = start;
  let at: Vec2 = [layout.entryX[0] + random.next() * (layout.entryX[1] - layout.entryX[0]), -0.5];
  let aisle = 0;
  const speed = 1.0 + random.next() * 0.4;
  const walkTo = (b: Vec2): void => {
    const dt = (Math.hypot(b[0] - at[0], b[1] - at[1]) / speed) * 1000;
    if (dt > 0) actions.push({ to: b });
    t += dt;
    at = b;
  };
  const standY = (row: number): number => rows[row]! - 0.5 - STAND_FROM_FRONT;
  const laneY = (row: number, dir: number): number => standY(row) - LANE_FROM_STAND + dir * LANE_OFFSET;
  /** Along the current aisle's lane (keep right: +x travel on the far side) to x. */
  const alongLane = (x: number): void => {
    const dir = x >= at[0] ? 1 : -1;
    walkTo([at[0], laneY(aisle, dir)]);
    walkTo([x, laneY(aisle, dir)]);
  };
  /** To another aisle through the nearer cross aisle at either end. */
  const changeAisle = (row: number, towardsX: number): void => {
    if (row === aisle) return;
    const left = (at[0] + towardsX) / 2 < W / 2;
    alongLane(left ? 0.5 : W - 0.5);
    const up = row > aisle ? 1 : -1;
    walkTo([(left ? 0.5 : W - 0.5) + up * LANE_OFFSET, at[1]]);
    walkTo([at[0], laneY(row, 1)]);
    aisle = row;
  };
  walkTo([at[0], 1.2]);
  const stops = 4 + Math.floor(random.next() * 3);
  for (let s = 0; s < stops; s++) {
    const spot = freeSpot(layout, random, reservations, t, at[0]);
    if (!spot) continue;
    changeAisle(spot.row, spot.x);
    alongLane(spot.x);
    walkTo([spot.x, standY(spot.row)]);
    const dwell = 2500 + random.next() * 1500;
    const shelf = [0.55, 1.05, 1.55][Math.floor(random.next() * 3)]!;
    const side = random.next() < 0.5 ? 'left' : 'right';
    const target: Vec3 = [spot.x, rows[spot.row]! - 0.55, shelf + 0.1];
    actions.push({ dwell, reach: { side, target } });
    reservations.push({ row: spot.row, x: spot.x, from: t - 3000, to: t + dwell + 1000 });
    t += dwell;
  }
  changeAisle(0, W);
  alongLane(W - 0.5);
  const exitX = layout.exitX[0] + random.next() * (layout.exitX[1] - layout.exitX[0]);
  walkTo([at[0], 1]);
  walkTo([exitX, 1]);
  walkTo([exitX, -0.8]);
  return { start, speed, actions, scale: random.next() < 0.1 ? 0.65 : 0.9 + random.next() * 0.2 };
}

/** A spot in front of a shelf nobody else stands on around this time (arrival within ~15 s). */
function freeSpot(
  layout: CrowdLayout,
  random: Rng,
  reservations: Reservation[],
  now: number,
  fromX: number,
): { row: number; x: number } | undefined {
  for (let attempt = 0; attempt < 30; attempt++) {
    const row = Math.floor(random.next() * layout.rows.length);
    const x = 1.5 + random.next() * (layout.width - 3);
    const arrive = now + (Math.abs(x - fromX) + 6) * 1000;
    const clash = reservations.some(
      (r) => r.row === row && Math.abs(r.x - x) < 0.9 && r.from < arrive + 8000 && r.to > now,
    );
    if (!clash) return { row, x };
  }
  return undefined;
}

const STEP_MS = 50;
/** Shoppers closer than this push each other apart. */
const PERSONAL_SPACE = 0.7;

/** Plays every plan out together: steer to the next waypoint, sidestep neighbours, stand while reaching. */
function simulate(plans: ShopperPlan[], t0: number): Shopper[] {
  const state = plans.map(() => ({
    x: Number.NaN,
    y: Number.NaN,
    action: 0,
    actionSince: 0,
    dwellLeft: 0,
    done: false,
    xy: [] as number[],
    reaches: [] as Shopper['reaches'],
    first: -1,
  }));
  const entry = (p: ShopperPlan): Vec2 => {
    const first = p.actions[0];
    return first && 'to' in first ? [first.to[0], -0.5] : [1, -0.5];
  };
  for (let k = 0; state.some((s) => !s.done); k++) {
    const t = t0 + k * STEP_MS;
    const dt = STEP_MS / 1000;
    const active = state.filter((s, i) => !s.done && t >= plans[i]!.start);
    state.forEach((s, i) => {
      const plan = plans[i]!;
      if (s.done || t < plan.start) return;
      if (s.first < 0) {
        s.first = k;
        [s.x, s.y] = entry(plan);
      }
      const action = plan.actions[s.action];
      if (!action) {
        s.done = true;
        return;
      }
      let vx = 0;
      let vy = 0;
      if ('to' in action) {
        const dx = action.to[0] - s.x;
        const dy = action.to[1] - s.y;
        const d = Math.hypot(dx, dy);
        // Hemmed in for long: give up on this waypoint (a real shopper would pick another way).
        if (d < 0.1 || k - s.actionSince > 200) {
          s.action++;
          s.actionSince = k;
        } else [vx, vy] = [(dx / d) * plan.speed, (dy / d) * plan.speed];
      } else {
        if (s.dwellLeft === 0) {
          s.dwellLeft = action.dwell;
          s.reaches.push({ from: t, to: t + action.dwell, ...action.reach });
        }
        s.dwellLeft -= STEP_MS;
        if (s.dwellLeft <= 0) {
          s.dwellLeft = 0;
          s.action++;
          s.actionSince = k;
        }
      }
      for (const o of active) {
        if (o === s || Number.isNaN(o.x)) continue;
        const dx = s.x - o.x;
        const dy = s.y - o.y;
        const d = Math.hypot(dx, dy);
        if (d >= PERSONAL_SPACE || d === 0) continue;
        const push = ((PERSONAL_SPACE - d) / PERSONAL_SPACE) * 2;
        vx += (dx / d) * push;
        vy += (dy / d) * push;
      }
      const v = Math.hypot(vx, vy);
      const cap = 1.8;
      if (v > cap) [vx, vy] = [(vx / v) * cap, (vy / v) * cap];
      s.x += vx * dt;
      s.y += vy * dt;
      s.xy.push(s.x, s.y);
    });
  }
  return plans.map((plan, i) => {
    const s = state[i]!;
    return {
      plan,
      start: t0 + s.first * STEP_MS,
      xy: Float64Array.from(s.xy),
      steps: s.xy.length / 2,
      reaches: s.reaches,
    };
  });
}

/** A shopper's body at time t; `holding` while the wrist is fully at the shelf. */
export function shopperAt(p: Shopper, t: number): (Body & { holding: boolean }) | undefined {
  const f = (t - p.start) / STEP_MS;
  if (f < 0 || f >= p.steps - 1) return undefined;
  const k = Math.floor(f);
  const w = f - k;
  const x0 = p.xy[k * 2]!;
  const y0 = p.xy[k * 2 + 1]!;
  const x1 = p.xy[k * 2 + 2]!;
  const y1 = p.xy[k * 2 + 3]!;
  const reach = p.reaches.find((r) => t >= r.from && t < r.to);
  const moving = Math.hypot(x1 - x0, y1 - y0) > 0.01;
  const body: Body & { holding: boolean } = {
    x: x0 + w * (x1 - x0),
    y: y0 + w * (y1 - y0),
    heading: reach || !moving ? Math.PI / 2 : Math.atan2(y1 - y0, x1 - x0),
    scale: p.plan.scale,
    holding: false,
  };
  if (reach) {
    // Reach out over 0.5 s, hold, and pull back over the last 0.5 s of the stop.
    const amount = Math.min(1, Math.max(0, (t - reach.from - 400) / 500), Math.max(0, (reach.to - t - 400) / 500));
    body.reach = { side: reach.side, target: reach.target, amount };
    body.holding = amount === 1;
  }
  return body;
}
