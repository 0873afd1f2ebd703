/**
 * Throughput mode: the convenience store at full sensor rate (every plate at 60 Hz in 12-sample batches, every
 * camera at 15 fps, a busy store) fed to one engine as fast as it goes on one core. The recording is made first and
 * held in memory so only the engine's CPU is timed; the figure is the real-time factor (store seconds per CPU second).
 */
import { resolve } from 'node:path';
import { createEngine } from '../engine/engine.ts';
import { WalkoutError } from '../errors.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import type { RecordedMessage } from '../protocol/recording.ts';
import { runSimulation } from '../sim/simulate.ts';
import { loadStoreFile } from '../store/load-store.ts';
import { defaultMeters } from './run-bench.ts';

export interface ThroughputOptions {
  root: string;
  store?: string;
  minutes: number;
  shoppers: number;
  seed: number;
}

export interface ThroughputResult {
  store: string;
  storeSeconds: number;
  messages: number;
  plateSamples: number;
  cameraFrames: number;
  cpuSeconds: number;
  realTimeFactor: number;
  messagesPerCpuSecond: number;
  /** Share of one core the engine needs to keep up with this store live. */
  coreShare: number;
}

export function measureThroughput(options: ThroughputOptions): ThroughputResult {
  const file = resolve(options.root, options.store ?? 'examples/convenience.yaml');
  const loaded = loadStoreFile(file);
  if (!loaded.ok) throw new WalkoutError('BENCH_STORE', `cannot load ${file}:\n${loaded.reason}`);
  const store = loaded.value;
  const messages: RecordedMessage[] = [];
  let plateSamples = 0;
  let cameraFrames = 0;
  const truth = runSimulation(
    store,
    { shoppers: options.shoppers, minutes: options.minutes, seed: options.seed, plateRate: 'full', cameraFps: 15 },
    (m) => {
      messages.push(m);
      const grams = (m.payload as { grams?: unknown[] }).grams;
      if (grams) plateSamples += grams.length;
      else if (m.topic.endsWith('/people')) cameraFrames += 1;
    },
  );
  const engine = createEngine({ store, authorizer: createDemoAuthorizer(), sink: () => {} });
  const before = defaultMeters.cpuMicros();
  for (const m of messages) engine.ingest(m.topic, m.payload);
  engine.finish();
  const cpuSeconds = (defaultMeters.cpuMicros() - before) / 1e6;
  const storeSeconds = (truth.end - truth.start) / 1000;
  return {
    store: store.def.id,
    storeSeconds,
    messages: messages.length,
    plateSamples,
    cameraFrames,
    cpuSeconds,
    realTimeFactor: storeSeconds / cpuSeconds,
    messagesPerCpuSecond: messages.length / cpuSeconds,
    coreShare: cpuSeconds / storeSeconds,
  };
}

export function formatThroughput(r: ThroughputResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    `throughput: ${r.store} at full sensor rate (plates 60 Hz, cameras 15 fps)`,
    `  store time ${r.storeSeconds.toFixed(0)} s, ${r.messages} messages (${r.plateSamples} plate samples, ${r.cameraFrames} camera frames)`,
    `  engine CPU ${r.cpuSeconds.toFixed(2)} s → real-time factor ${r.realTimeFactor.toFixed(1)}× (target ≥ 50×), ` +
      `${Math.round(r.messagesPerCpuSecond)} messages per CPU second, ${pct(r.coreShare)} of one core live`,
    '',
  ].join('\n');
}
