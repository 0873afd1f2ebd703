/**
 * What the vision stage tells the rest of the engine: people tracks on the floor with hand positions,
 * and gate-line crossings that bind tracks to sessions.
 */
import type { Box, Vec3 } from '../store/schema.ts';

export interface TrackPoint {
  t: number;
  /** Floor position (x, y) of the body centre, metres. */
  x: number;
  y: number;
  /** Wrist positions in store coordinates (undefined when not seen), with a 1-σ radius in metres. */
  leftWrist?: Vec3;
  rightWrist?: Vec3;
  /**
   * With each wrist seen, its distance (m, in a nominal adult's arm: scaled by body size) from where that hand hangs
   * at rest (below its shoulder): near 0 for a hand hanging at the body's side, 0.3 or more for one reaching out or
   * down.
   */
  leftOut?: number;
  rightOut?: number;
  wristSigma: number;
}

export interface GateCrossing {
  trackId: string;
  gateId: string;
  direction: 'in' | 'out';
  t: number;
}

/** A hand's evidence for one plate in a time window, used by fusion to score shoppers. */
export interface HandEvidence {
  trackId: string;
  /** Smallest distance (m) from either wrist to the plate's reach volume in the window (0 = inside). */
  minDistance: number;
  /** Event time of that closest approach. */
  tClosest: number;
  /** True when a wrist was inside the reach volume during the window. */
  entered: boolean;
  /** Uncertainty of the wrist position at the closest approach, metres. */
  sigma: number;
  /**
   * A wrist held where cameras last saw it, at that same closest distance: the largest σ it reached there (a point's
   * σ, the larger of its two wrists').
   */
  heldSigma?: number;
  /** One of the two wrists was never seen in the window: that hand may have been in the plate unseen. */
  handHidden?: boolean;
  /** How long (ms) a wrist read inside the reach volume in the window: a reach lingers, a passing hand does not. */
  insideMs: number;
  /**
   * How far in the deepest inside reading got, horizontally: 0 at the volume's side faces, 1 at its centre. A hand
   * reaching for this plate goes to its middle; one reaching for the next plate grazes the edge.
   */
  depth: number;
  /** Closest the body centre came to the volume's footprint on the floor, m: whether a hidden hand could be in it. */
  bodyDistance?: number;
  /** Where the hand was while inside (the mean of its inside readings): which lane of the plate it reached into. */
  reach?: Vec3;
  /** The mean 1-σ (m) of those inside readings. */
  reachSigma?: number;
  /**
   * The farthest the hand inside got from where it hangs at rest (m, in a nominal adult's arm: scaled by body size):
   * a hand hanging at the side of a shopper standing close beside the shelf stays near 0, a reach moves it 0.3 m or
   * more.
   */
  armOut?: number;
}

/** Read side of the tracker used by fusion and the live view. */
export interface TrackQuery {
  /** Tracks alive at time t (with their latest point at or before t). */
  activeTracks(t: number): { trackId: string; point: TrackPoint }[];
  /** Hand evidence of every track that came within `radius` metres of `box` between t0 and t1. */
  handsNear(box: Box, t0: number, t1: number, radius: number): HandEvidence[];
  /** True when some camera covering this box was offline at time t. */
  camerasDegraded(box: Box, t: number): boolean;
}
