/**
 * The simulator's shared state and vocabulary: people, parties, their agenda of stops, the plate stock, and the
 * `World` every step reads and writes. Plain data; behaviour lives in agents.ts, actions.ts and scripted.ts.
 */
import type { RecordedMessage } from '../protocol/recording.ts';
import type { Vec2, Vec3 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { FloorGrid } from './nav.ts';
import type { PlateSensor } from './plates.ts';
import type { Rng } from './random.ts';
import type { HardCase, TruthPerson } from './truth.ts';
import type { TruthRecorder } from './truth-recorder.ts';

export type Role = TruthPerson['role'];
export type PlateAction = 'pick' | 'return' | 'bump' | 'touch' | 'restock' | 'misplaced-pick';

/** Several people who must all arrive before any of them acts: races, handoffs, shoulder-to-shoulder. */
export interface Sync {
  id: string;
  need: number;
  arrived: Set<string>;
  release: number | null;
  /** The hard cases this meeting stands for; recorded when it happens. */
  tags: HardCase[];
}

export type Stop =
  | {
      kind: 'plate';
      plateId: string;
      /** The plate the hand goes into when it is not the one stood at (crossing arms). */
      reachPlateId?: string;
      action: PlateAction;
      sku?: string;
      qty: number;
      /** Where along the plate to stand, 0..1, and how far out. */
      along: number;
      hand?: 'left' | 'right';
      sync?: Sync;
      /** Delay after the sync releases, ms. */
      delay?: number;
      tags: HardCase[];
      /** Last stop of a scripted case: the person is free for another one afterwards. */
      endsScript?: boolean;
    }
  | { kind: 'browse'; ms: number }
  | { kind: 'meet'; point: Vec2; face: Vec2; sync: Sync; give?: { to: Person; qty: number }; endsScript?: boolean }
  | { kind: 'drop'; tags: HardCase[] };

export interface Unit {
  sku: string;
  grams: number;
  plateId: string;
}

export interface Party {
  visit: string | null;
  account: string;
  staff: boolean;
  members: Person[];
  entryGate: string;
  exitGate: string;
  arrive: number;
  scanTs: number | null;
  /** Planned time inside, ms. */
  dwell: number;
}

export type PersonState = 'pending' | 'queued' | 'entering' | 'inside' | 'leaving' | 'exiting' | 'gone';

export interface Activity {
  kind: 'walk' | 'wait' | 'sync' | 'reach' | 'handoff' | 'drop';
  stop?: Stop;
  path?: Vec2[];
  until?: number;
  /** Reach timeline, ms: hand out, in the volume, weight change, hand back, done. */
  times?: { out: number; in: number; change: number; back: number; done: number };
  target?: Vec3;
  applied?: boolean;
}

export interface Person {
  id: string;
  role: Role;
  party: Party;
  child: boolean;
  height: number;
  speed: number;
  x: number;
  y: number;
  heading: number;
  phase: number;
  stride: number;
  state: PersonState;
  agenda: Stop[];
  activity: Activity | null;
  carry: Unit[];
  leftReach: Vec3 | null;
  rightReach: Vec3 | null;
  /** Gate crossing: when to start walking in, and the straight segment through the gate. */
  enterAt: number;
  gateFrom: Vec2;
  gateTo: Vec2;
  scripted: boolean;
  blockedMs: number;
  joints: Float64Array;
  prevJoints: Float64Array;
}

export interface World {
  store: Store;
  rng: Rng;
  grid: FloorGrid;
  sensors: Map<string, PlateSensor>;
  /** Units on each plate per SKU, including misplaced ones. */
  stock: Map<string, Map<string, number>>;
  people: Person[];
  truth: TruthRecorder;
  emit: (m: RecordedMessage) => void;
  /** Plates not sending during a window (nothing sent while in it, and no reading from inside it later). */
  silent: Map<string, { from: number; to: number }>;
  /** Silent-plate faults still to place: the next reach after each time silences its plate. */
  silentPlan: number[];
  /** Follow-ups to schedule: misplaced items waiting for someone to pick them. */
  misplaced: { t: number; plateId: string; sku: string; by: string }[];
  misplacedSeen: boolean;
  /** Items dropped on the floor, in drop order, until staff find them (`due`) and report them from a handheld. */
  floor: { sku: string; at: Vec2; due: number }[];
  /** Its own stream, so dropped items leave every other draw of the run as it was. */
  floorRng: Rng;
}
