/**
 * Tuning of the vision stage, with defaults for ceiling cameras at 2.5–4 m running a COCO pose detector.
 * Times in milliseconds of event time, distances in metres, pixel noise in pixels.
 */

export interface VisionConfig {
  /** A camera silent for longer than this is offline. */
  cameraOfflineMs: number;
  /** A confirmed track nobody has seen for this long is dropped. */
  maxUnseenMs: number;
  /**
   * A confirmed track unseen for this long is *lost*: no longer matched frame by frame (its guess of where the
   * shopper went is worth little), only found again when an orphan near where it could be is handed to it.
   */
  lostAfterMs: number;
  /** An orphan may be handed to a track unseen for at least this long. */
  adoptAfterMs: number;
  /** Detections (from two cameras, over `orphanMinAgeMs`) an orphan needs before it is handed to a lost track. */
  orphanConfirmHits: number;
  orphanMinAgeMs: number;
  /**
   * An orphan seen this long that no lost track could explain gets an id of its own (without an entry crossing),
   * so a shopper whose track was handed to someone else is still tracked.
   */
  orphanPromoteMs: number;
  /** `activeTracks` leaves out a track unseen for longer than this (it is still alive and can be found again). */
  reportLostMs: number;
  /** Newcomers may be born up to this far (m) outside an entry gate (the queue at the scanner), besides the entry area. */
  approachDepth: number;
  /** A tentative track (not yet confirmed) unseen for this long is dropped. */
  tentativeUnseenMs: number;
  /** Detections a tentative track needs before it gets an id. */
  confirmHits: number;
  /** Other cameras' observations this close in time join a triangulation. */
  viewWindowMs: number;
  /** At most this many cameras (the freshest) join one triangulation. */
  maxViews: number;
  /** Weight of an older view falls as exp(−age / recencyMs): cameras are not synchronised. */
  recencyMs: number;
  /** Keypoints scored below this are treated as unseen. */
  minKeypointScore: number;
  /** Detections scored below this never start a track. */
  minDetectionScore: number;
  /** Typical keypoint noise of the pose detector, pixels. */
  pixelSigma: number;
  /** A detection further than this (plus 2σ of the track's position) from a track cannot be matched to it. */
  gateMetres: number;
  /** Cap on the matching gate of a lost track. */
  maxGateMetres: number;
  /** Cap on the matching gate of a tentative track (a newcomer not yet confirmed). */
  tentativeGateMetres: number;
  /**
   * A detection matched to one track but within this (m) of a rival track (no detection of the frame, seen lately)
   * is in doubt: it goes to whichever of the two this camera saw last where the detection is (stage.ts).
   */
  ambiguousMatchMetres: number;
  /** No track is born this close to an existing one (duplicate detections, two views of a newcomer). */
  birthSeparation: number;
  /**
   * A track that left through a gate keeps absorbing its shopper's detections (outside the store) for this
   * long, so they neither start a new track nor get matched to someone still inside.
   */
  leaverFollowMs: number;
  /**
   * White-acceleration noise of the floor filter, m²/s³. At 4 a standing shopper's velocity read 0.5–1 m/s from
   * measurement noise, and a track the cameras lost for a few hundred ms coasted on it onto a neighbour; at 2,
   * identity swaps on convenience seeds 2–7 went 18 → 12 with IDF1 and MOTA unchanged (seeds 1–2).
   */
  accelNoise: number;
  /** Position uncertainty cap of a lost track. */
  maxPositionSigma: number;
  /** After this long unseen, a track's velocity decays with time constant `coastTauMs`. */
  coastAfterMs: number;
  coastTauMs: number;
  /** History of points (floor and wrists) kept per track. */
  historyMs: number;
  /** Dead tracks stay queryable (hands, past positions) this long. */
  deadRetentionMs: number;
  /** A gate side changes only this far past the line. */
  gateHysteresis: number;
  /** Gate sides are tracked only within this distance of the gate segment. */
  gateReach: number;
  /** Anchor heights assumed for a shopper before triangulation learns theirs. */
  nominalHeights: { nose: number; shoulder: number; hip: number };
  ankleHeight: number;
  /** Wrist uncertainty when only one camera saw it (depth guessed from the shoulder). */
  singleViewWristSigma: number;
  /**
   * A wrist two cameras placed lately (within `heldWristMs`) anchors it when they lose it: one camera's ray is cut
   * near it, and a hand out of every camera's sight (inside a shelf, under the shelf above) stays there while the
   * triangulated elbow is within `forearmM` of it. Its σ grows by `heldWristGrowth` (m/s) meanwhile.
   */
  heldWristMs: number;
  forearmM: number;
  heldWristGrowth: number;
  /**
   * A pose detector still places a joint it cannot see (a hand inside a shelf, behind the shelf above), with a low
   * score and a few times its usual error. A wrist no two cameras saw is triangulated from those guesses too (score at
   * least `guessedKeypointScore`, noise `guessedPixelSigma`) before falling back to one camera's ray: near the shelf
   * the ray was cut near the hand's last place and missed the reach (docs/vision.md, step 5).
   */
  guessedKeypointScore: number;
  guessedPixelSigma: number;
}

export const DEFAULT_VISION_CONFIG: VisionConfig = {
  cameraOfflineMs: 3000,
  maxUnseenMs: 180_000,
  lostAfterMs: 5000,
  adoptAfterMs: 800,
  orphanConfirmHits: 5,
  orphanMinAgeMs: 400,
  orphanPromoteMs: 3000,
  reportLostMs: 4000,
  approachDepth: 2,
  tentativeUnseenMs: 700,
  confirmHits: 3,
  viewWindowMs: 140,
  maxViews: 5,
  recencyMs: 60,
  minKeypointScore: 0.3,
  minDetectionScore: 0.3,
  pixelSigma: 4,
  gateMetres: 0.6,
  maxGateMetres: 1.5,
  tentativeGateMetres: 0.8,
  ambiguousMatchMetres: 0.1,
  birthSeparation: 0.35,
  leaverFollowMs: 5000,
  accelNoise: 2,
  maxPositionSigma: 2.5,
  coastAfterMs: 500,
  coastTauMs: 1500,
  historyMs: 60_000,
  deadRetentionMs: 60_000,
  gateHysteresis: 0.15,
  gateReach: 2.0,
  nominalHeights: { nose: 1.6, shoulder: 1.42, hip: 0.95 },
  ankleHeight: 0.08,
  singleViewWristSigma: 0.25,
  heldWristMs: 3000,
  forearmM: 0.45,
  heldWristGrowth: 0.1,
  guessedKeypointScore: 0.01,
  guessedPixelSigma: 14,
};
