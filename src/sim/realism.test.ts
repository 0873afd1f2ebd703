/**
 * The simulated load cells against the real AutoCheckout recording: noise, held samples, spikes and drift
 * measured the same way must be of the same size. Skips when ../shared/data is absent.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { noiseStats, readRealPlates, simulatedPlates } from './realism.ts';

const REAL = new URL('../../../shared/data/autocheckout-cps-test-01/plates', import.meta.url).pathname;

test('simulated resting plates: noise, holds, spikes and drift in the real range', {
  skip: !existsSync(REAL) && 'real data not found at ../shared/data',
}, () => {
  const real = noiseStats(readRealPlates(REAL));
  const sim = noiseStats(simulatedPlates(1));
  const ratio = (a: number, b: number) => Math.max(a, b) / Math.max(Math.min(a, b), 1e-9);
  assert.ok(ratio(sim.sigmaP50, real.sigmaP50) < 1.6, `median σ ${sim.sigmaP50} vs ${real.sigmaP50}`);
  assert.ok(ratio(sim.sigmaP90, real.sigmaP90) < 1.6, `p90 σ ${sim.sigmaP90} vs ${real.sigmaP90}`);
  assert.ok(Math.abs(sim.heldShare - real.heldShare) < 0.1, `held ${sim.heldShare} vs ${real.heldShare}`);
  assert.ok(ratio(sim.spikeRate, real.spikeRate) < 3, `spikes ${sim.spikeRate} vs ${real.spikeRate}`);
  assert.ok(ratio(sim.spikeP50, real.spikeP50) < 1.6, `spike size ${sim.spikeP50} vs ${real.spikeP50}`);
  assert.ok(sim.driftP90 < 3 && real.driftP90 < 3);
});

test('the noise measures tell a quiet cell from a noisy one', () => {
  const quiet = noiseStats([Array.from({ length: 2400 }, (_, i) => 1000 + (i % 2) * 0.25)]);
  const noisy = noiseStats([Array.from({ length: 2400 }, (_, i) => 1000 + Math.sin(i * 12.9898) * 5)]);
  assert.ok(quiet.sigmaP50 < 0.5 && noisy.sigmaP50 > 2);
});
