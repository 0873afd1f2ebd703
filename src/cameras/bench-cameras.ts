/**
 * Camera worker throughput on this machine: frames per second (and per core) with 1, 4 and 8 concurrent cameras, on
 * 1 and 2 inference threads, reading the real cps-test-01 videos (a camera list longer than the four videos reuses
 * them). Every frame is processed (lossless) so the figure is the model's sustained rate; a live deployment drops
 * the excess instead. Also times ffmpeg's decode of one camera.
 *
 *   npx tsx src/cameras/bench-cameras.ts [--frames 6] [--threads 1,2] [--cameras 1,4,8]
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { importAutoCheckout } from '../store/import-autocheckout.ts';
import { ThreadedDetector } from './inference-thread.ts';
import { DATA_DIR } from './visit-report.ts';
import { runCameraWorker } from './worker.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const framesPerCamera = Number(arg('frames', '6'));
const threadCounts = arg('threads', '1,2').split(',').map(Number);
const cameraCounts = arg('cameras', '1,4,8').split(',').map(Number);
const videos = ['cam1', 'cam3', 'cam5', 'cam7'];

const { store } = importAutoCheckout(DATA_DIR);
console.log(`cores: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average at start ${loadavg()[0]?.toFixed(2)}`);

// Decode cost: one camera's whole 34 s video at 5 fps, raw RGB to /dev/null.
const d0 = performance.now();
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-i',
  join(DATA_DIR, 'video', 'cam1.mp4'),
  '-vf',
  'fps=5',
  '-pix_fmt',
  'rgb24',
  '-f',
  'rawvideo',
  '-y',
  '/dev/null',
]);
const decodeMs = performance.now() - d0;
console.log(
  `ffmpeg decode: ${((decodeMs / 169) | 0).toString()} ms wall per 640×360 frame at 5 fps (whole video, 169 frames)`,
);

const rows: string[] = [
  '| cameras | threads | frames | wall s | frames/s | frames/s per core | ms per frame (model) |',
  '|---|---|---|---|---|---|---|',
];
for (const threads of threadCounts) {
  const detectors = await Promise.all(Array.from({ length: threads }, () => ThreadedDetector.start()));
  // Warm-up: the first inference compiles kernels.
  await runCameraWorker(
    store,
    [{ cameraId: 'cam5', url: join(DATA_DIR, 'video', 'cam5.mp4') }],
    detectors,
    async () => {},
    {
      fps: 5,
      policy: 'lossless',
      maxFrames: threads,
    },
  );
  for (const n of cameraCounts) {
    const sources = Array.from({ length: n }, (_, i) => {
      const v = videos[i % videos.length]!;
      return { cameraId: v, url: join(DATA_DIR, 'video', `${v}.mp4`) };
    });
    // Distinct camera ids are needed per lane; reuse the store's calibrated cameras cyclically under their own ids.
    const ids = [...store.cameras.keys()].slice(0, n);
    const lanes = sources.map((s, i) => ({ cameraId: ids[i]!, url: s.url }));
    const t0 = performance.now();
    const stats = await runCameraWorker(store, lanes, detectors, async () => {}, {
      fps: 5,
      policy: 'lossless',
      maxFrames: framesPerCamera,
    });
    const wall = (performance.now() - t0) / 1000;
    const frames = stats.reduce((s, c) => s + c.processed, 0);
    const inferMs = stats.reduce((s, c) => s + c.inferMs, 0) / Math.max(1, frames);
    rows.push(
      `| ${n} | ${threads} | ${frames} | ${wall.toFixed(1)} | ${(frames / wall).toFixed(2)} | ${(frames / wall / threads).toFixed(2)} | ${inferMs.toFixed(0)} |`,
    );
    console.log(rows[rows.length - 1]);
  }
  for (const d of detectors) await d.close();
}
console.log(`\nload average at end ${loadavg()[0]?.toFixed(2)}\n`);
console.log(rows.join('\n'));
