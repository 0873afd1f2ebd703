/**
 * Ground truth the simulator writes beside a recording. Only the benchmark reads it; the engine never does.
 */
import type { ItemCount } from '../weight/types.ts';

export interface TruthVisit {
  /** Visit id; equals the engine's session id for the same scan when the scan is admitted. */
  visit: string;
  account: string;
  /** Person ids of everyone who entered on this scan (1 + guests). */
  members: string[];
  entryGate: string;
  /** Time of the scan, of the first member crossing in, and of the last member crossing out. */
  scanned: number;
  entered: number;
  exited: number;
  /** What should be charged: SKUs and quantities the party left with. */
  receipt: ItemCount[];
  staff: boolean;
}

export type InteractionKind =
  | 'pick'
  | 'return'
  | 'misplaced-return'
  | 'misplaced-pick'
  | 'handoff'
  | 'drop'
  | 'restock'
  | 'bump'
  | 'touch';

export interface TruthInteraction {
  /** When the item left (pick) or reached (return) the shelf; for a handoff, when it changed hands. */
  t: number;
  kind: InteractionKind;
  personId: string;
  /** The visit charged for it (the visit of personId), or null for staff and tailgaters. */
  visit: string | null;
  plateId: string | null;
  sku: string | null;
  /** +n left the shelf into a hand; −n went back onto the shelf. 0 for bumps and touches. */
  qty: number;
  /** For a handoff: who received the item. */
  toPersonId?: string;
}

export interface TruthPerson {
  personId: string;
  visit: string | null;
  role: 'shopper' | 'guest' | 'staff' | 'tailgater';
  /** When this person crossed an entry gate inward first and outward last; absent where they never did. */
  entered?: number;
  exited?: number;
  /** Floor positions sampled at `sampleHz`: [t, x, y]. */
  path: [number, number, number][];
  /** Wrist positions at the same samples: [t, lx, ly, lz, rx, ry, rz]. */
  wrists: [number, number, number, number, number, number, number][];
}

export type HardCase =
  | 'same-plate-race'
  | 'adjacent-plate-race'
  | 'pick-then-return'
  | 'wrong-plate-return'
  | 'misplaced-pick'
  | 'multi-unit'
  | 'near-equal-weights'
  | 'family-child-pick'
  | 'tailgater'
  | 'handoff'
  | 'floor-drop'
  | 'staff-restock'
  | 'shelf-bump'
  | 'silent-plate'
  | 'camera-offline'
  | 'crossing-arms'
  | 'shoulder-to-shoulder';

export interface GroundTruth {
  storeId: string;
  seed: number;
  start: number;
  end: number;
  sampleHz: number;
  visits: TruthVisit[];
  interactions: TruthInteraction[];
  people: TruthPerson[];
  /** Each hard case and the times it happened. */
  hardCases: Partial<Record<HardCase, number[]>>;
  /** Device faults injected: silent plates and offline cameras with their windows. */
  faults: { deviceId: string; from: number; to: number; kind: 'silent-plate' | 'camera-offline' }[];
}
