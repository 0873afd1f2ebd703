import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Detection } from '../protocol/messages.ts';
import { createRng } from '../sim/random.ts';
import { DEFAULT_VISION_CONFIG } from './config.ts';
import { matchGate } from './matching.ts';
import { createVisionStage, type VisionStage } from './stage.ts';
import { detect, skeleton, syntheticStore } from './synthetic.ts';
import type { GateCrossing } from './types.ts';

// A newcomer's first frames, hand-fed: while a track is tentative (one or two sightings, no velocity) a stray
// detection of someone queueing outside the entry gate must neither drag it out nor make it a leaver.
const T0 = 1_700_000_000_000;
// Entry gate x 0.5–2 on y = 0 ("in" is +y), entry area just inside it; cameras at 3 m looking a little outwards,
// so cam1 and cam2 both see the gate and the queue in front of it.
const store = syntheticStore({ width: 6, depth: 5, grid: [3, 3], cameraHeight: 3, tilt: -0.2 });

function seen(cameraId: string, at: [number, number][]): Detection[] {
  const random = createRng(5);
  const quiet = { pixelSigma: 1, dropout: 0, miss: 0 };
  return at.map(([x, y]) => {
    const det = detect(store.cameras.get(cameraId)!, skeleton({ x, y, heading: Math.PI / 2, scale: 1 }), random, quiet);
    assert.ok(det, `${cameraId} must see (${x}, ${y})`);
    return det;
  });
}

function feed(stage: VisionStage, out: GateCrossing[], cameraId: string, ts: number, at: [number, number][]): void {
  stage.onFrame({ kind: 'camera.people', cameraId, v: 1, ts, frame: 0, people: seen(cameraId, at) });
  out.push(...stage.advance(ts));
}

/** A newcomer just inside the gate, seen by cam1; then cam1 and cam2 see only a person at `stray`, then the newcomer. */
function newcomerWithStray(stray: [number, number]) {
  const stage = createVisionStage(store);
  const crossings: GateCrossing[] = [];
  const newcomer: [number, number] = [1.2, 0.2];
  feed(stage, crossings, 'cam1', T0, [newcomer]);
  feed(stage, crossings, 'cam1', T0 + 30, [stray]);
  feed(stage, crossings, 'cam2', T0 + 45, [stray]);
  for (let k = 1; k <= 8; k++) feed(stage, crossings, k % 2 ? 'cam2' : 'cam1', T0 + 45 + k * 35, [newcomer]);
  crossings.push(...stage.flush());
  return { stage, crossings, end: T0 + 45 + 8 * 35 };
}

test('a newcomer whose tentative track was pulled out over the line is an "in", not a leaver', () => {
  // 0.65 m away (within the tentative gate), seen by both cameras: the track is confirmed outside, past the line,
  // then follows the newcomer back in. Its only crossing is that "in"; an "out" would have closed it at birth.
  const { stage, crossings, end } = newcomerWithStray([1.2, -0.45]);
  assert.deepEqual(
    crossings.map((c) => [c.trackId, c.gateId, c.direction]),
    [['T1', 'entry', 'in']],
  );
  const active = stage.activeTracks(end);
  assert.equal(active.length, 1);
  assert.ok(Math.hypot(active[0]!.point.x - 1.2, active[0]!.point.y - 0.2) < 0.15);
});

test('a tentative track matches within 0.8 m at most; confirmed ones within 0.6 m + 2σ up to 1.5 m', () => {
  const config = DEFAULT_VISION_CONFIG;
  // Just born (σ 0.3 m): a confirmed track this unsure would take a detection 1.2 m away, a tentative one 0.8 m.
  assert.equal(matchGate(true, 0.3, config), 0.8);
  assert.ok(Math.abs(matchGate(false, 0.3, config) - 1.2) < 1e-9);
  // Sure of itself, a tentative track's gate is no wider than a confirmed one's.
  assert.ok(Math.abs(matchGate(true, 0.05, config) - 0.7) < 1e-9);
  assert.equal(matchGate(false, 2, config), 1.5);
});
