/**
 * The camera worker: frame cutting, bounded frame slots, source parsing and undistortion (pure), then the real model
 * on a few frames cut with ffmpeg from the real ceiling video (skipped without the data or ffmpeg).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FrameSlot, FrameSplitter, ffmpegArgs, isLive, parseSource } from '../src/cameras/frames.ts';
import { ThreadedDetector } from '../src/cameras/inference-thread.ts';
import { framedKeypoint, PoseModel, personBoxes, poseCrop } from '../src/cameras/pose-model.ts';
import { distortNormalised, undistortNormalised } from '../src/cameras/undistort.ts';
import { runCameraWorker } from '../src/cameras/worker.ts';
import type { CameraPeoplePayload } from '../src/protocol/messages.ts';
import { validateMessage } from '../src/protocol/validate.ts';
import { importAutoCheckout } from '../src/store/import-autocheckout.ts';
import type { Store } from '../src/store/store.ts';

const DATA = fileURLToPath(new URL('../../shared/data/autocheckout-cps-test-01', import.meta.url));

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('camera worker: pure parts', () => {
  it('cuts a byte stream into whole frames whatever the chunking', () => {
    const s = new FrameSplitter(4);
    const frames = [
      ...s.push(Buffer.from([1, 2, 3])),
      ...s.push(Buffer.from([4, 5, 6, 7, 8, 9])),
      ...s.push(Buffer.from([10])),
    ];
    assert.deepEqual(
      frames.map((f) => [...f]),
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
    );
    assert.equal(s.pending, 2);
  });

  it('a frame slot keeps the newest frames and counts the ones it pushed out', () => {
    const slot = new FrameSlot(1);
    for (let i = 0; i < 5; i++) slot.offer({ index: i, rgb: Buffer.alloc(1), at: i });
    assert.equal(slot.dropped, 4);
    assert.equal(slot.take()?.index, 4);
    assert.equal(slot.take(), undefined);
    const lossless = new FrameSlot(3);
    for (let i = 0; i < 3; i++) lossless.offer({ index: i, rgb: Buffer.alloc(1), at: i });
    assert.ok(lossless.full);
    assert.equal(lossless.dropped, 0);
    assert.equal(lossless.take()?.index, 0);
  });

  it('parses sources and builds the ffmpeg command', () => {
    const s = parseSource('cam1=rtsp://10.0.0.5/stream?x=1');
    assert.ok(s.ok);
    assert.deepEqual(s.value, { cameraId: 'cam1', url: 'rtsp://10.0.0.5/stream?x=1' });
    assert.equal(parseSource('nocamera').ok, false);
    assert.equal(parseSource('bad id=x.mp4').ok, false);
    assert.ok(isLive('rtsp://h/s'));
    assert.ok(!isLive('/videos/cam1.mp4'));
    const args = ffmpegArgs('rtsp://h/s', { fps: 5, width: 640, height: 360 });
    assert.deepEqual(args.slice(args.indexOf('-rtsp_transport'), args.indexOf('-rtsp_transport') + 2), [
      '-rtsp_transport',
      'tcp',
    ]);
    assert.ok(args.includes('fps=5,scale=640:360'));
    assert.equal(args[args.length - 1], 'pipe:1');
    assert.ok(ffmpegArgs('a.mp4', { fps: 5, width: 8, height: 8, realtime: true }).includes('-re'));
  });

  it('undistortion inverts the lens model, even near the corners of a wide lens', () => {
    const k = [-0.472161, 0.201042, 0.001, -0.002, 0];
    for (const [x, y] of [
      [0, 0],
      [0.3, -0.2],
      [0.8, 0.45],
      [-0.75, -0.4],
    ] as const) {
      const [xd, yd] = distortNormalised(x, y, k);
      const [xu, yu] = undistortNormalised(xd, yd, k);
      assert.ok(Math.abs(xu - x) < 1e-6 && Math.abs(yu - y) < 1e-6, `(${x}, ${y}) → (${xu}, ${yu})`);
    }
  });

  it('keeps person boxes only, scaled to the frame, best first, overlaps suppressed', () => {
    const rows = [
      [10, 10, 110, 210, 0.9, 0],
      [12, 12, 112, 212, 0.8, 0], // same person
      [300, 50, 350, 150, 0.6, 0],
      [300, 50, 350, 150, 0.95, 56], // a chair
      [400, 50, 450, 150, 0.2, 0], // below threshold
    ];
    const boxes = personBoxes(rows, [2, 2], 0.35, 0.5, 1280, 720);
    assert.deepEqual(
      boxes.map((b) => [b.box, b.score]),
      [
        [[20, 20, 200, 400], 0.9],
        [[600, 100, 100, 200], 0.6],
      ],
    );
    const crop = poseCrop([20, 20, 200, 400]);
    assert.equal(crop.side, 500);
    assert.equal(crop.x + crop.side / 2, 120);
  });

  it('publishes a keypoint the model placed outside the frame with score 0: no guess at a hidden joint', () => {
    assert.deepEqual(framedKeypoint(100.04, 50.26, 0.2504, 640, 360), [100, 50.3, 0.25]);
    assert.deepEqual(framedKeypoint(-12, 50, 0.2, 640, 360), [-12, 50, 0]);
    assert.deepEqual(framedKeypoint(100, 360, 0.9, 640, 360), [100, 360, 0]);
  });
});

describe('camera worker on real ceiling video', () => {
  const skip = !existsSync(DATA)
    ? `real data not present at ${DATA}`
    : !hasFfmpeg()
      ? 'ffmpeg is not installed (apt-get install -y ffmpeg)'
      : false;
  let dir = '';
  let clip = '';
  let store: Store;
  let model: PoseModel;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'walkout-cameras-'));
    clip = join(dir, 'cam5.mp4');
    // 2 s of cam5 while the shopper stands in front of it (t = 10…12 s, the first pick).
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-ss',
      '10',
      '-t',
      '2',
      '-i',
      join(DATA, 'video', 'cam5.mp4'),
      '-an',
      clip,
    ]);
    store = importAutoCheckout(DATA).store;
    model = await PoseModel.load();
  });
  after(() => {
    model?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes valid cameras/<id>/people messages and finds the shopper', { skip, timeout: 60_000 }, async () => {
    const published: { topic: string; payload: CameraPeoplePayload }[] = [];
    const t0 = 1_580_250_255_200;
    const stats = await runCameraWorker(
      store,
      [{ cameraId: 'cam5', url: clip }],
      model,
      async (topic, payload) => {
        published.push({ topic, payload });
      },
      { fps: 2, policy: 'lossless', t0 },
    );
    assert.equal(published.length, 4, 'every frame of the 2 s clip at 2 fps, none dropped');
    assert.equal(stats[0]?.dropped, 0);
    for (const [i, m] of published.entries()) {
      assert.equal(m.topic, 'walkout/autocheckout-cps/cameras/cam5/people');
      const v = validateMessage(store, m.topic, JSON.stringify(m.payload));
      assert.ok(v.ok, v.ok ? '' : v.reason);
      assert.equal(m.payload.frame, i);
      assert.equal(m.payload.ts, t0 + i * 500);
    }
    const withShopper = published.filter((m) =>
      m.payload.people.some((p) => p.score >= 0.35 && p.box[2] * p.box[3] > 60 * 60),
    );
    assert.ok(withShopper.length >= 3, `shopper found in ${withShopper.length} of 4 frames`);
    // The shopper stands in the lower right half of cam5's view (the image is 640×360).
    const box = withShopper[0]!.payload.people[0]!.box;
    assert.ok(box[0] + box[2] / 2 > 320 && box[1] + box[3] / 2 > 150, `box ${box}`);
    const confident = withShopper[0]!.payload.people[0]!.keypoints.filter((k) => k[2] >= 0.3);
    assert.ok(confident.length >= 5, `${confident.length} confident keypoints`);
  });

  it('drops frames (counted) instead of queueing when decoding outruns inference', {
    skip,
    timeout: 60_000,
  }, async () => {
    let published = 0;
    // The model on its own thread, as `walkout cameras` runs it: the main thread keeps draining ffmpeg meanwhile.
    const threaded = await ThreadedDetector.start();
    let stats: Awaited<ReturnType<typeof runCameraWorker>>;
    try {
      stats = await runCameraWorker(
        store,
        [{ cameraId: 'cam5', url: clip }],
        threaded,
        async () => {
          published++;
        },
        { fps: 10, policy: 'drop' },
      );
    } finally {
      await threaded.close();
    }
    const s = stats[0]!;
    assert.equal(s.decoded, 20);
    assert.ok(s.dropped > 0, 'ffmpeg decodes a file far faster than the model runs');
    assert.equal(s.processed + s.dropped, s.decoded);
    assert.equal(published, s.processed);
  });
});
