/**
 * `walkout cameras --store <yaml> --source cam1=rtsp://… [--source cam2=clip.mp4 …] [--fps 5] [--mqtt mqtt://…]
 * [--out recording.ndjson]`: runs the camera worker (ffmpeg → person detection + pose → `cameras/<camera>/people`)
 * until the sources end or SIGINT/SIGTERM, then prints per-camera counts (decoded, dropped, processed, with people).
 */
import type { Command } from 'commander';
import { loadStoreFile } from '../store/load-store.ts';
import { type CameraSource, parseSource } from './frames.ts';
import { ThreadedDetector } from './inference-thread.ts';
import { fanOut, mqttSink, recordingSink, type Sink } from './sinks.ts';
import { type CameraStats, runCameraWorker } from './worker.ts';

interface CamerasFlags {
  store: string;
  source: string[];
  fps: string;
  mqtt?: string;
  out?: string;
  realtime?: boolean;
  lossless?: boolean;
  t0?: string;
  maxFrames?: string;
  minScore?: string;
  threads: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCamerasCommand(program: Command): void {
  program
    .command('cameras')
    .description('turn camera video (RTSP streams or files) into cameras/<camera>/people pose messages')
    .requiredOption('--store <yaml>', 'store definition (camera ids, resolution and calibration)')
    .requiredOption('--source <camera=url>', 'camera id = rtsp://… or a video file; repeat per camera', collect, [])
    .option('--fps <n>', 'frames per second to analyse per camera', '5')
    .option('--mqtt <url>', 'publish to this broker (mqtt://host:port)')
    .option('--out <ndjson>', 'also write the messages to a recording')
    .option('--realtime', 'read files at their own pace, like live cameras (frames are dropped when behind)')
    .option('--lossless', 'files: process every frame (pause decoding instead of dropping)')
    .option('--t0 <ms>', "files: epoch ms of the first frame (default: now); e.g. the recording's first plate reading")
    .option('--max-frames <n>', 'stop each camera after n frames')
    .option('--min-score <x>', 'person detector score threshold (default 0.35)')
    .option('--threads <n>', 'inference threads (one per core you give the worker)', '1')
    .action(async (flags: CamerasFlags) => {
      process.exitCode = await runCameras(flags);
    });
}

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
}

async function runCameras(flags: CamerasFlags): Promise<number> {
  const store = loadStoreFile(flags.store);
  if (!store.ok) {
    console.error(`store ${flags.store} is not valid:\n${store.reason}`);
    return 1;
  }
  const sources: CameraSource[] = [];
  for (const arg of flags.source) {
    const s = parseSource(arg);
    if (!s.ok) {
      console.error(s.reason);
      return 1;
    }
    sources.push(s.value);
  }
  if (!flags.mqtt && !flags.out) {
    console.error('give --mqtt <url> and/or --out <file>: the messages need somewhere to go');
    return 1;
  }
  let fps: number;
  let t0: number | undefined;
  let maxFrames: number | undefined;
  let minScore: number | undefined;
  let threads: number;
  try {
    threads = Math.round(numberFlag('threads', flags.threads) ?? 1);
    fps = numberFlag('fps', flags.fps) ?? 5;
    t0 = numberFlag('t0', flags.t0);
    maxFrames = numberFlag('max-frames', flags.maxFrames);
    minScore = numberFlag('min-score', flags.minScore);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const detectors: ThreadedDetector[] = [];
  for (let i = 0; i < threads; i++) detectors.push(await ThreadedDetector.start({ minPersonScore: minScore }));
  const sinks: Sink[] = [];
  if (flags.mqtt) sinks.push(await mqttSink(flags.mqtt, `walkout-cameras-${store.value.def.id}-${process.pid}`));
  if (flags.out) sinks.push(recordingSink(flags.out));
  const sink = fanOut(sinks);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let stats: CameraStats[];
  try {
    stats = await runCameraWorker(store.value, sources, detectors, sink.publish, {
      fps,
      policy: flags.lossless ? 'lossless' : 'drop',
      realtime: flags.realtime,
      t0,
      maxFrames,
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await sink.close();
    for (const d of detectors) await d.close();
  }
  for (const s of stats) {
    const ms = s.processed > 0 ? (s.inferMs / s.processed).toFixed(0) : '-';
    console.log(
      `${s.cameraId}: ${s.decoded} decoded, ${s.dropped} dropped, ${s.processed} processed ` +
        `(${s.withPeople} with people), ${ms} ms/frame`,
    );
    if (s.exit && s.exit.code !== 0 && !abort.signal.aborted)
      console.error(`${s.cameraId}: ffmpeg ${s.exit.code}: ${s.exit.stderr.trim()}`);
  }
  return stats.some((s) => s.exit && s.exit.code !== 0 && !abort.signal.aborted) ? 1 : 0;
}
