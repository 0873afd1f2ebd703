/**
 * The real-video check (docs/cameras.md): reads a `walkout cameras` recording of the cps-test-01 videos, imports the
 * same visit's store and plate readings, runs the weight stage, fuses the keypoints across cameras and prints the
 * figures as JSON; with --png it also draws the picture (a camera frame with the keypoints, and the shopper's hand
 * path on the floor plan) through ffmpeg's SVG renderer.
 *
 *   npx tsx src/cameras/visit-report.ts <cameras.ndjson> [--png docs/img/cameras-visit.png]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CameraPeoplePayload, type Detection, KP } from '../protocol/messages.ts';
import { readRecording } from '../protocol/recording.ts';
import { validateMessage } from '../protocol/validate.ts';
import { importAutoCheckout } from '../store/import-autocheckout.ts';
import type { Vec3 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { createWeightStage } from '../weight/stage.ts';
import type { ShelfEvent } from '../weight/types.ts';
import { distortNormalised } from './undistort.ts';
import {
  cameraModels,
  checkHands,
  DEFAULT_FUSE,
  type FusedFrame,
  fuseFrame,
  groupFrames,
  type HandCheck,
  quantiles,
} from './visit-analysis.ts';

export const DATA_DIR = fileURLToPath(new URL('../../../shared/data/autocheckout-cps-test-01', import.meta.url));

/** Weight events of the visit: the imported plate readings through the weight stage, full shelves assumed. */
export function weightEvents(store: Store, messages: ReturnType<typeof importAutoCheckout>['messages']): ShelfEvent[] {
  const stock = (plateId: string) => {
    const p = store.plates.get(plateId)?.plate;
    return new Map(p ? p.skus.map((sku, i) => [sku, p.capacity[i] ?? 0]) : []);
  };
  const stage = createWeightStage(store, { stock });
  const events: ShelfEvent[] = [];
  for (const m of messages) {
    const v = validateMessage(store, m.topic, m.payload);
    if (!v.ok || v.value.kind !== 'plate.weight') continue;
    stage.onBatch(v.value);
    events.push(...stage.advance(v.value.ts));
  }
  return [...events, ...stage.flush()];
}

async function readCameras(store: Store, file: string) {
  const out: { cameraId: string; payload: CameraPeoplePayload }[] = [];
  for await (const m of readRecording(file)) {
    const v = validateMessage(store, m.topic, m.payload);
    if (!v.ok) throw new Error(`${m.topic}: ${v.code} ${v.reason}`);
    if (v.value.kind === 'camera.people') out.push({ cameraId: v.value.cameraId, payload: v.value });
  }
  return out;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

export async function report(cameraFile: string) {
  const visit = importAutoCheckout(DATA_DIR);
  const { store } = visit;
  const events = weightEvents(store, visit.messages);
  const camMsgs = await readCameras(store, cameraFile);
  const frames = groupFrames(camMsgs);
  const cams = cameraModels(store);
  const fused = frames.map((f) => fuseFrame(cams, f));
  const perCamera: Record<string, { frames: number; withPerson: number; inFusion: number }> = {};
  for (const m of camMsgs) {
    perCamera[m.cameraId] ??= { frames: 0, withPerson: 0, inFusion: 0 };
    const c = perCamera[m.cameraId]!;
    c.frames++;
    if (m.payload.people.length > 0) c.withPerson++;
  }
  for (const f of fused) for (const id of f.cameras) perCamera[id]!.inFusion++;
  const all = fused.flatMap((f) => f.joints.filter((j) => !!j).map((j) => j.rmsPx));
  const wrists = fused.flatMap((f) =>
    [f.joints[KP.left_wrist], f.joints[KP.right_wrist]].filter((j) => !!j).map((j) => j.rmsPx),
  );
  const q = (v: number[]) => {
    const x = quantiles(v);
    return { n: x.n, medianPx: r2(x.median), p90Px: r2(x.p90) };
  };
  const hands = checkHands(store, fused, events);
  // Diagnostic: the same fusion with no height limit and a wide gate shows how well the cameras agree at all.
  const loose = frames.map((f) => fuseFrame(cams, f, { ...DEFAULT_FUSE, gatePx: 400, torsoZ: [-10, 10] }));
  const torsos = loose.flatMap((f) => (f.torso ? [f.torso] : []));
  return {
    store,
    fused,
    events,
    hands,
    frames,
    summary: {
      frames: frames.length,
      perCamera,
      framesWithShopper3d: fused.filter((f) => f.cameras.length >= 2).length,
      reprojection: { allJoints: q(all), wrists: q(wrists) },
      jointsTriangulatedPerFrame: r2(all.length / Math.max(1, fused.length)),
      unconstrainedTorso: {
        frames: torsos.length,
        rms: q(torsos.map((t) => t.rmsPx)),
        heightM: { median: r2(quantiles(torsos.map((t) => t.X[2])).median) },
        wrists: q(
          loose.flatMap((f) =>
            [f.joints[KP.left_wrist], f.joints[KP.right_wrist]].filter((j) => !!j).map((j) => j.rmsPx),
          ),
        ),
      },
      weightEvents: events.map((e) => ({
        id: e.id,
        shelf: e.shelfId,
        plates: e.plateIds,
        grams: r2(e.grams),
        item: e.hypotheses[0]?.items.map((i) => `${i.qty}× ${i.sku}`).join(' + '),
        tChangeS: r2((e.tChange - (frames[0]?.ts ?? 0)) / 1000),
      })),
      hands: hands.map((h) => ({ ...h, nearestM: h.nearestM === undefined ? undefined : r2(h.nearestM) })),
    },
  };
}

/* ---------- the picture ---------- */

const BONES: [number, number][] = [
  [5, 6],
  [5, 7],
  [7, 9],
  [6, 8],
  [8, 10],
  [5, 11],
  [6, 12],
  [11, 12],
  [11, 13],
  [13, 15],
  [12, 14],
  [14, 16],
  [0, 5],
  [0, 6],
];

/** Pinhole pixel → raw (distorted) image pixel, to draw on the real frame. */
function redistort(store: Store, cameraId: string, u: number, v: number): [number, number] {
  const c = store.cameras.get(cameraId)!;
  const { fx, fy, cx, cy } = c.intrinsics;
  const [x, y] = distortNormalised((u - cx) / fx, (v - cy) / fy, c.distortion);
  return [x * fx + cx, y * fy + cy];
}

function skeletonSvg(store: Store, cameraId: string, people: Detection[]): string {
  const parts: string[] = [];
  for (const d of people) {
    const kp = d.keypoints.map(([u, v, s]) => [...redistort(store, cameraId, u, v), s] as const);
    for (const [a, b] of BONES) {
      const p = kp[a]!;
      const q = kp[b]!;
      if (p[2] < 0.3 || q[2] < 0.3) continue;
      parts.push(
        `<line x1="${p[0].toFixed(1)}" y1="${p[1].toFixed(1)}" x2="${q[0].toFixed(1)}" y2="${q[1].toFixed(1)}" stroke="#0f0" stroke-width="2"/>`,
      );
    }
    kp.forEach(([u, v, s], i) => {
      if (s < 0.3) return;
      const wrist = i === KP.left_wrist || i === KP.right_wrist;
      parts.push(
        `<circle cx="${u.toFixed(1)}" cy="${v.toFixed(1)}" r="${wrist ? 5 : 3}" fill="${wrist ? '#f0f' : '#ff0'}"/>`,
      );
    });
  }
  return parts.join('');
}

function planSvg(
  store: Store,
  fused: readonly FusedFrame[],
  hands: readonly HandCheck[],
  seen: ReadonlySet<string>,
  x0: number,
  w: number,
  h: number,
): string {
  const [l, t, r, b] = bounds(store);
  const s = Math.min((w - 40) / (r - l), (h - 60) / (b - t));
  const X = (x: number) => x0 + 20 + (x - l) * s;
  const Y = (y: number) => 40 + (b - y) * s; // north up
  const out: string[] = [`<rect x="${x0}" y="0" width="${w}" height="${h}" fill="#fff"/>`];
  const n3d = fused.filter((f) => f.cameras.length >= 2).length;
  out.push(
    `<text x="${x0 + 20}" y="24" font-size="16" font-family="sans-serif">Floor plan: wrists triangulated from ≥2 cameras (${n3d} of ${fused.length} frames)</text>`,
  );
  const eventShelves = new Set(hands.map((hc) => hc.shelfId));
  for (const f of store.def.fixtures) {
    out.push(
      `<rect x="${X(f.box.min[0])}" y="${Y(f.box.max[1])}" width="${(f.box.max[0] - f.box.min[0]) * s}" height="${(f.box.max[1] - f.box.min[1]) * s}" fill="#ddd" stroke="#888"/>`,
    );
    for (const sh of f.shelves) {
      if (!eventShelves.has(sh.id)) continue;
      for (const p of sh.plates) {
        out.push(
          `<rect x="${X(p.box.min[0])}" y="${Y(p.box.max[1])}" width="${(p.box.max[0] - p.box.min[0]) * s}" height="${(p.box.max[1] - p.box.min[1]) * s}" fill="#fc6" stroke="#c60"/>`,
        );
      }
    }
  }
  for (const [id, c] of store.cameras) {
    if (!seen.has(id)) continue;
    out.push(
      `<circle cx="${X(c.pose.position[0])}" cy="${Y(c.pose.position[1])}" r="5" fill="#36c"/><text x="${X(c.pose.position[0]) + 7}" y="${Y(c.pose.position[1]) + 4}" font-size="12" font-family="sans-serif" fill="#36c">${id}</text>`,
    );
  }
  const first = fused[0]?.ts ?? 0;
  const span = Math.max(1, (fused[fused.length - 1]?.ts ?? first) - first);
  const colour = (ts: number) => `hsl(${Math.round(240 - (240 * (ts - first)) / span)},80%,45%)`;
  const hips = fused.map((f) => mid(f.joints[KP.left_hip]?.X, f.joints[KP.right_hip]?.X)).filter((p): p is Vec3 => !!p);
  if (hips.length > 1)
    out.push(
      `<polyline points="${hips.map((p) => `${X(p[0])},${Y(p[1])}`).join(' ')}" fill="none" stroke="#999" stroke-width="1.5"/>`,
    );
  for (const f of fused) {
    for (const j of [f.joints[KP.left_wrist], f.joints[KP.right_wrist]]) {
      if (j) out.push(`<circle cx="${X(j.X[0])}" cy="${Y(j.X[1])}" r="3" fill="${colour(f.ts)}"/>`);
    }
  }
  hands.forEach((hc, i) => {
    out.push(
      `<text x="${x0 + 20}" y="${h - 28 + i * 14}" font-size="12" font-family="sans-serif">event ${i + 1} (${hc.shelfId}, ${Math.round(hc.grams)} g): hand ${hc.verdict}${hc.nearestM === undefined ? '' : `, ${hc.nearestM.toFixed(2)} m from the plates`}</text>`,
    );
  });
  out.push(
    `<text x="${x0 + w - 230}" y="${h - 28}" font-size="12" font-family="sans-serif">wrist colour: blue = start, red = end</text>`,
  );
  return out.join('');
}

function mid(a: Vec3 | undefined, b: Vec3 | undefined): Vec3 | undefined {
  if (!a || !b) return a ?? b;
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}

function bounds(store: Store): [number, number, number, number] {
  const xs = store.def.floor.outline.map((p) => p[0]);
  const ys = store.def.floor.outline.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Renders the two-panel picture to `png` with ffmpeg (librsvg). */
export function drawPicture(r: Awaited<ReturnType<typeof report>>, videoDir: string, png: string): void {
  const tmp = mkdtempSync(join(tmpdir(), 'walkout-cam-pic-'));
  try {
    const event = r.events[0];
    const t = event?.tChange ?? r.frames[Math.floor(r.frames.length / 2)]!.ts;
    const frame = r.frames.reduce((a, f) => (Math.abs(f.ts - t) < Math.abs(a.ts - t) ? f : a));
    // The camera that saw the shopper with the most confident wrists at that moment.
    const [cameraId, people] = [...frame.byCamera].sort((a, b) => wristScore(b[1]) - wristScore(a[1]))[0]!;
    const frameTs = (frame.ts - r.frames[0]!.ts) / 1000;
    const still = join(tmp, 'frame.png');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-ss',
      frameTs.toFixed(2),
      '-i',
      join(videoDir, `${cameraId}.mp4`),
      '-frames:v',
      '1',
      still,
    ]);
    const img = execFileSync('base64', ['-w0', still]).toString('utf8');
    const W = 640;
    const H = 400;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${W * 2}" height="${H}">
<rect width="${W * 2}" height="${H}" fill="#fff"/>
<image x="0" y="0" width="640" height="360" xlink:href="data:image/png;base64,${img}"/>
${skeletonSvg(r.store, cameraId, people)}
<text x="8" y="385" font-size="14" font-family="sans-serif">${cameraId}, t = ${frameTs.toFixed(1)} s (first weight event): keypoints as published (wrists magenta)</text>
${planSvg(r.store, r.fused, r.hands, new Set(r.frames.flatMap((f) => [...f.byCamera.keys()])), W, W, H)}
</svg>`;
    const svgFile = join(tmp, 'picture.svg');
    writeFileSync(svgFile, svg);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', svgFile, '-frames:v', '1', '-pix_fmt', 'rgb24', png]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function wristScore(people: Detection[]): number {
  return Math.max(0, ...people.map((d) => d.keypoints[KP.left_wrist]![2] + d.keypoints[KP.right_wrist]![2]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, flag, png] = process.argv.slice(2);
  if (!file) {
    console.error('usage: visit-report.ts <cameras.ndjson> [--png out.png]');
    process.exit(2);
  }
  const r = await report(file);
  console.log(JSON.stringify(r.summary, null, 2));
  if (flag === '--png' && png) drawPicture(r, join(DATA_DIR, 'video'), png);
}
