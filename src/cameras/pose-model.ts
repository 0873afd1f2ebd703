/**
 * The person-and-pose model: CenterNet (COCO objects, "person" class) finds people in a frame, then MoveNet
 * Lightning (one person, 17 COCO keypoints) runs on each person's square crop. Both run on TensorFlow.js's WASM
 * backend with the model files shipped inside the @vladmandic/human npm package, read from disk: nothing is
 * downloaded at run time. Owns tensor life-cycles; callers see plain arrays in pixels.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type GraphModel, loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { WalkoutError } from '../errors.ts';
import type { Detection } from '../protocol/messages.ts';

export interface PoseModelOptions {
  /** Folder holding centernet.json/.bin and movenet-lightning.json/.bin (default: the human package's models/). */
  modelDir?: string;
  /** Minimum CenterNet person score to keep a box. */
  minPersonScore?: number;
  /** Boxes overlapping a better one by more than this IoU are the same person. */
  nmsIou?: number;
  /** At most this many people get a pose per frame (MoveNet costs ~40 ms each on one core). */
  maxPeople?: number;
}

export interface FrameTiming {
  detectMs: number;
  poseMs: number;
}

/** Square crop margin around a person box: MoveNet expects the whole body with a little context. */
const CROP_MARGIN = 1.25;
const POSE_SIZE = 192;
/** CenterNet's COCO class for "person" (class ids are 0-based in its detections output). */
const PERSON_CLASS = 0;

const require = createRequire(import.meta.url);

/**
 * The model files inside the @vladmandic/human package. Its exports map is malformed (even package.json cannot be
 * resolved through it), so look for the package folder on Node's own search path.
 */
export function defaultModelDir(): string {
  for (const base of require.resolve.paths('@vladmandic/human') ?? []) {
    const dir = join(base, '@vladmandic', 'human', 'models');
    if (existsSync(join(dir, 'centernet.json'))) return dir;
  }
  throw new WalkoutError(
    'MODEL_FAILED',
    'the @vladmandic/human package (which ships the model files) is not installed',
  );
}

function wasmDir(): string {
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: { [key: string]: object };
}

/** An IOHandler that reads a TF.js graph model (model.json + shards) from the local disk. */
export function fileModel(jsonFile: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as ModelJson;
      const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(jsonFile), p))));
      const all = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

let backendReady: Promise<void> | undefined;

/** Starts the WASM backend once per process, from the wasm binaries inside node_modules. */
export function initBackend(): Promise<void> {
  backendReady ??= (async () => {
    // The Emscripten glue installs process-wide handlers that rethrow every uncaught error and rejection (and print
    // the whole glue source with it): keep the process's own error handling by removing them again.
    const before = {
      uncaughtException: process.listeners('uncaughtException'),
      unhandledRejection: process.listeners('unhandledRejection'),
    };
    setWasmPaths(wasmDir());
    const started = await tf.setBackend('wasm');
    for (const listener of process.listeners('uncaughtException')) {
      if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
    }
    if (!started) throw new WalkoutError('MODEL_FAILED', 'the TF.js WASM backend did not start');
    await tf.ready();
  })();
  return backendReady;
}

/** A person box in pixels [x, y, w, h] with its detector score. */
export interface PersonBox {
  box: [number, number, number, number];
  score: number;
}

function iou(a: PersonBox['box'], b: PersonBox['box']): number {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * CenterNet's raw detections (rows of x1, y1, x2, y2, score, class in detector pixels) → person boxes in frame
 * pixels, greedy non-maximum suppression, best first.
 */
export function personBoxes(
  rows: readonly number[][],
  scale: [number, number],
  minScore: number,
  nmsIou: number,
  width: number,
  height: number,
): PersonBox[] {
  const found: PersonBox[] = [];
  for (const r of rows) {
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0, score = 0, cls = -1] = r;
    if (cls !== PERSON_CLASS || !(score >= minScore)) continue;
    const ax = Math.max(0, x1 * scale[0]);
    const ay = Math.max(0, y1 * scale[1]);
    const bx = Math.min(width, x2 * scale[0]);
    const by = Math.min(height, y2 * scale[1]);
    if (bx - ax < 2 || by - ay < 2) continue;
    found.push({ box: [ax, ay, bx - ax, by - ay], score: Math.min(1, score) });
  }
  found.sort((a, b) => b.score - a.score);
  const kept: PersonBox[] = [];
  for (const p of found) if (kept.every((k) => iou(k.box, p.box) <= nmsIou)) kept.push(p);
  return kept;
}

/**
 * A keypoint as published, in frame pixels. One the model placed outside the frame (in the black padding of a crop
 * that ran over the edge) gets score 0: the tracker reads a low score as the model's guess at a hidden joint
 * (docs/vision.md, step 5), and a guess into the padding is none.
 */
export function framedKeypoint(
  x: number,
  y: number,
  score: number,
  width: number,
  height: number,
): [number, number, number] {
  const inside = x >= 0 && y >= 0 && x < width && y < height;
  return [round1(x), round1(y), inside ? round3(clamp01(score)) : 0];
}

/** The square crop (pixels) MoveNet sees around a person box: centred, side = longest edge × margin. */
export function poseCrop(box: PersonBox['box']): { x: number; y: number; side: number } {
  const side = Math.max(box[2], box[3]) * CROP_MARGIN;
  return { x: box[0] + box[2] / 2 - side / 2, y: box[1] + box[3] / 2 - side / 2, side };
}

export class PoseModel {
  private constructor(
    private readonly detector: GraphModel,
    private readonly pose: GraphModel,
    private readonly opts: Required<Omit<PoseModelOptions, 'modelDir'>> & { detectorSize: number },
  ) {}

  static async load(options: PoseModelOptions = {}): Promise<PoseModel> {
    await initBackend();
    const dir = options.modelDir ?? defaultModelDir();
    try {
      const detector = await loadGraphModel(fileModel(join(dir, 'centernet.json')));
      const pose = await loadGraphModel(fileModel(join(dir, 'movenet-lightning.json')));
      return new PoseModel(detector, pose, {
        minPersonScore: options.minPersonScore ?? 0.35,
        nmsIou: options.nmsIou ?? 0.5,
        maxPeople: options.maxPeople ?? 6,
        // The graph has a fixed 512×512 input.
        detectorSize: 512,
      });
    } catch (error) {
      throw new WalkoutError('MODEL_FAILED', `cannot load the pose models from ${dir}: ${(error as Error).message}`);
    }
  }

  /** People in one RGB24 frame (row-major, 3 bytes per pixel), with keypoints in frame pixels. */
  async detect(rgb: Uint8Array, width: number, height: number, timing?: FrameTiming): Promise<Detection[]> {
    if (rgb.length !== width * height * 3) {
      throw new WalkoutError('BAD_FRAME', `frame has ${rgb.length} bytes, want ${width}×${height}×3`);
    }
    const t0 = performance.now();
    const frame = tf.tidy(() => tf.cast(tf.tensor4d(rgb, [1, height, width, 3], 'int32'), 'float32'));
    try {
      const side = this.opts.detectorSize;
      // Letterbox (pad the short side with black) rather than stretch: on these wide ceiling views stretching to a
      // square squashes people and halves CenterNet's person scores.
      const square = Math.max(width, height);
      const raw = tf.tidy(() => {
        const padded = tf.pad(frame as tf.Tensor4D, [
          [0, 0],
          [0, square - height],
          [0, square - width],
          [0, 0],
        ]);
        const input = tf.image.resizeBilinear(padded, [side, side]);
        return this.detector.execute(input, ['tower_0/detections']) as tf.Tensor;
      });
      const rows = ((await raw.array()) as number[][][])[0] ?? [];
      raw.dispose();
      const people = personBoxes(
        rows,
        [square / side, square / side],
        this.opts.minPersonScore,
        this.opts.nmsIou,
        width,
        height,
      ).slice(0, this.opts.maxPeople);
      const t1 = performance.now();
      const out: Detection[] = [];
      for (const person of people) out.push(await this.poseOf(frame as tf.Tensor4D, person, width, height));
      if (timing) {
        timing.detectMs += t1 - t0;
        timing.poseMs += performance.now() - t1;
      }
      return out;
    } finally {
      frame.dispose();
    }
  }

  private async poseOf(frame: tf.Tensor4D, person: PersonBox, width: number, height: number): Promise<Detection> {
    const crop = poseCrop(person.box);
    // cropAndResize takes normalised [y1, x1, y2, x2]; parts outside the frame are filled with black.
    const cropBox = [crop.y / height, crop.x / width, (crop.y + crop.side) / height, (crop.x + crop.side) / width];
    const out = tf.tidy(() => {
      const input = tf.cast(tf.image.cropAndResize(frame, [cropBox], [0], [POSE_SIZE, POSE_SIZE]), 'int32');
      return this.pose.execute(input) as tf.Tensor;
    });
    const kp = ((await out.array()) as number[][][][])[0]?.[0] ?? [];
    out.dispose();
    const keypoints: Detection['keypoints'] = [];
    for (let i = 0; i < 17; i++) {
      const [y = 0, x = 0, s = 0] = kp[i] ?? [];
      keypoints.push(framedKeypoint(crop.x + x * crop.side, crop.y + y * crop.side, s, width, height));
    }
    const box = person.box.map(round1) as Detection['box'];
    return { box, score: round3(person.score), keypoints };
  }

  dispose(): void {
    this.detector.dispose();
    this.pose.dispose();
  }
}

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
const round1 = (v: number) => Math.round(v * 10) / 10;
const round3 = (v: number) => Math.round(v * 1000) / 1000;
