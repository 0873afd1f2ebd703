/**
 * The camera worker: one ffmpeg decoder per camera feeding a bounded frame slot, one inference loop per detector
 * (inference thread) serving the cameras round-robin (newest frame first for live cameras), and a `cameras/<camera>/people` message per processed
 * frame, exactly as an external pose detector would publish it (keypoints undistorted to pinhole pixels). Each message is checked with the same edge
 * validation the store server applies, so the worker cannot publish what ingest would reject.
 */
import { WalkoutError } from '../errors.ts';
import type { CameraPeoplePayload, Detection } from '../protocol/messages.ts';
import { topicFor } from '../protocol/topics.ts';
import { validateMessage } from '../protocol/validate.ts';
import type { CameraDef } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { type CameraSource, type Decoder, FrameSlot, isLive, type PendingFrame, startDecoder } from './frames.ts';
import type { FrameTiming } from './pose-model.ts';
import { pixelUndistorter, undistortDetection } from './undistort.ts';

/** What the worker needs from a model: people in one RGB24 frame. PoseModel is the real one. */
export interface FrameDetector {
  detect(rgb: Uint8Array, width: number, height: number, timing?: FrameTiming): Promise<Detection[]>;
}

export type Publish = (topic: string, payload: CameraPeoplePayload) => Promise<void>;

export interface WorkerOptions {
  /** Frames per second asked from each camera's decoder. */
  fps: number;
  /**
   * `drop`: keep only the newest frame, drop older ones when inference is behind (live cameras always do this).
   * `lossless`: files only: pause the decoder instead, every frame is processed (offline analysis).
   */
  policy?: 'drop' | 'lossless';
  /** Read files at their own pace (ffmpeg -re), like a live camera. */
  realtime?: boolean;
  /** Epoch ms of a file's first frame; a file frame's ts is t0 + index / fps. Default: when the worker started. */
  t0?: number;
  /** Stop each camera after this many decoded frames. */
  maxFrames?: number;
  /** Wall clock for live frames' timestamps (the I/O shell's clock; injectable for tests). */
  now?: () => number;
  signal?: AbortSignal;
  /** Called after each processed frame (progress, metrics). */
  onFrame?: (cameraId: string, payload: CameraPeoplePayload, stats: CameraStats) => void;
}

export interface CameraStats {
  cameraId: string;
  /** Frames ffmpeg delivered. */
  decoded: number;
  /** Frames dropped because inference was behind. */
  dropped: number;
  /** Frames that went through the model and were published. */
  processed: number;
  /** Processed frames with at least one person. */
  withPeople: number;
  /** Milliseconds spent in the model for this camera's frames. */
  inferMs: number;
  detectMs: number;
  poseMs: number;
  /** ffmpeg's exit code (null while running or when it was stopped) and the tail of its stderr. */
  exit?: { code: number | null; stderr: string };
}

interface Lane {
  source: CameraSource;
  camera: CameraDef;
  slot: FrameSlot;
  decoder?: Decoder;
  stats: CameraStats;
  lossless: boolean;
  finished: boolean;
  paused: boolean;
  undistort: (u: number, v: number) => [number, number];
  /** A frame of this camera is being inferred. */
  busy: boolean;
}

const LOSSLESS_SLOT = 3;

/** Resolves each source's camera in the store; throws WalkoutError UNKNOWN_CAMERA for a camera it does not have. */
export function resolveCameras(
  store: Store,
  sources: readonly CameraSource[],
): { source: CameraSource; camera: CameraDef }[] {
  return sources.map((source) => {
    const camera = store.cameras.get(source.cameraId);
    if (!camera) {
      const known = [...store.cameras.keys()].join(', ') || 'none';
      throw new WalkoutError(
        'UNKNOWN_CAMERA',
        `camera "${source.cameraId}" is not in store ${store.def.id} (${known})`,
      );
    }
    return { source, camera };
  });
}

function newStats(cameraId: string): CameraStats {
  return { cameraId, decoded: 0, dropped: 0, processed: 0, withPeople: 0, inferMs: 0, detectMs: 0, poseMs: 0 };
}

/** Runs until every decoder has ended and its frames are processed, or until `signal` aborts. */
export async function runCameraWorker(
  store: Store,
  sources: readonly CameraSource[],
  detector: FrameDetector | readonly FrameDetector[],
  publish: Publish,
  options: WorkerOptions,
): Promise<CameraStats[]> {
  const now = options.now ?? Date.now;
  const t0 = options.t0 ?? now();
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const lanes: Lane[] = resolveCameras(store, sources).map(({ source, camera }) => {
    const lossless = options.policy === 'lossless' && !isLive(source.url);
    return {
      source,
      camera,
      slot: new FrameSlot(lossless ? LOSSLESS_SLOT : 1),
      stats: newStats(camera.id),
      lossless,
      finished: false,
      paused: false,
      undistort: pixelUndistorter(camera),
      busy: false,
    };
  });
  for (const lane of lanes) startLane(lane, options, now, poke);
  const stopAll = () => {
    for (const lane of lanes) lane.decoder?.stop();
    poke();
  };
  options.signal?.addEventListener('abort', stopAll, { once: true });
  const detectors = Array.isArray(detector) ? detector : [detector];
  let next = 0;
  // One loop per detector (an inference thread per core); a camera has at most one frame in flight, so its
  // messages stay in frame order.
  const loop = async (d: FrameDetector) => {
    while (!options.signal?.aborted) {
      const lane = pickLane(lanes, next);
      if (!lane) {
        if (lanes.every((l) => l.finished && l.slot.size === 0)) return;
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      next = (lanes.indexOf(lane) + 1) % lanes.length;
      const frame = lane.slot.take();
      if (!frame) continue;
      if (lane.paused && !lane.slot.full) {
        lane.paused = false;
        lane.decoder?.resume();
      }
      const ts = isLive(lane.source.url) ? frame.at : t0 + Math.round((frame.index * 1000) / options.fps);
      lane.busy = true;
      try {
        await processFrame(store, lane, frame, ts, d, publish, options);
      } finally {
        lane.busy = false;
        poke();
      }
    }
  };
  try {
    await Promise.all(detectors.map(loop));
  } finally {
    options.signal?.removeEventListener('abort', stopAll);
    stopAll();
  }
  return lanes.map((l) => ({ ...l.stats, dropped: l.slot.dropped }));
}

function startLane(lane: Lane, options: WorkerOptions, now: () => number, poke: () => void): void {
  const [width, height] = lane.camera.resolution;
  let index = 0;
  const decoder = startDecoder(
    lane.source.url,
    { fps: options.fps, width, height, realtime: options.realtime, maxFrames: options.maxFrames },
    (rgb) => {
      lane.stats.decoded++;
      lane.slot.offer({ index: index++, rgb, at: now() });
      if (lane.lossless && lane.slot.full && !lane.paused) {
        lane.paused = true;
        decoder.pause();
      }
      poke();
    },
  );
  lane.decoder = decoder;
  void decoder.done.then((exit) => {
    lane.stats.exit = exit;
    lane.finished = true;
    poke();
  });
}

/** The next camera after `from` (round-robin) with a frame waiting and none in flight. */
function pickLane(lanes: readonly Lane[], from: number): Lane | undefined {
  for (let k = 0; k < lanes.length; k++) {
    const lane = lanes[(from + k) % lanes.length]!;
    if (lane.slot.size > 0 && !lane.busy) return lane;
  }
  return undefined;
}

async function processFrame(
  store: Store,
  lane: Lane,
  frame: PendingFrame,
  ts: number,
  detector: FrameDetector,
  publish: Publish,
  options: WorkerOptions,
): Promise<void> {
  const [width, height] = lane.camera.resolution;
  const timing: FrameTiming = { detectMs: 0, poseMs: 0 };
  const started = performance.now();
  // Published keypoints are pinhole pixels: the tracker's triangulation has no lens model.
  const people = (await detector.detect(frame.rgb, width, height, timing)).map((d) =>
    undistortDetection(d, lane.undistort),
  );
  const s = lane.stats;
  s.inferMs += performance.now() - started;
  s.detectMs += timing.detectMs;
  s.poseMs += timing.poseMs;
  const payload: CameraPeoplePayload = { v: 1, ts, frame: frame.index, people };
  const topic = topicFor(store.def.id, 'camera.people', lane.camera.id);
  const checked = validateMessage(store, topic, payload);
  if (!checked.ok) {
    throw new WalkoutError(
      'BAD_MESSAGE',
      `the worker built a message ingest would reject: ${checked.code} ${checked.reason}`,
    );
  }
  await publish(topic, payload);
  s.processed++;
  if (people.length > 0) s.withPeople++;
  s.dropped = lane.slot.dropped;
  options.onFrame?.(lane.camera.id, payload, s);
}
