/**
 * The simulated store's device stream, generated in a worker thread so the server's event loop stays free.
 * Runs the simulator chunk after chunk of store time starting at wall-clock now, rewrites what must differ between
 * chunks (timestamps, entry codes, plate baselines) and posts messages in batches, a few seconds ahead of the wall
 * clock: when it gets further ahead it sleeps, which bounds memory however long the chunk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordedMessage } from '../protocol/recording.ts';
import type { StoreDef } from '../store/schema.ts';
import { indexStore } from '../store/store.ts';
import { ChunkRewriter, type FeedMessage } from './sim-rewrite.ts';

export interface SimWorkerData {
  store: StoreDef;
  shoppersPerHour: number;
  chunkMinutes: number;
  seed: number;
  /** Wall-clock time the first chunk starts at. */
  start: number;
  /** How far ahead of the wall clock messages are generated, ms. */
  lookaheadMs: number;
  /** Module exporting runSimulation (tests swap in a small fake). */
  simulateModule: string;
}

export type SimWorkerReport =
  | { type: 'batch'; messages: FeedMessage[] }
  | { type: 'chunk'; index: number; start: number; shoppers: number }
  | { type: 'error'; message: string };

type Simulate = (
  store: ReturnType<typeof indexStore>,
  options: { shoppers: number; minutes: number; seed: number; start?: number },
  onMessage: (m: RecordedMessage) => void,
) => unknown;

const data = workerData as SimWorkerData;
const port = parentPort;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const BATCH = 200;

function report(r: SimWorkerReport): void {
  port?.postMessage(r);
}

async function main(): Promise<void> {
  const { runSimulation } = (await import(data.simulateModule)) as { runSimulation: Simulate };
  const store = indexStore(data.store);
  const rewriter = new ChunkRewriter();
  const minutesMs = data.chunkMinutes * 60_000;
  // Whole shoppers per chunk, carrying the fraction so the hourly rate holds on average.
  let owed = 0;
  let start = data.start;
  for (let index = 0; ; index++) {
    owed += (data.shoppersPerHour * data.chunkMinutes) / 60;
    const shoppers = Math.floor(owed);
    owed -= shoppers;
    report({ type: 'chunk', index, start, shoppers });
    rewriter.beginChunk(index, start);
    let batch: FeedMessage[] = [];
    runSimulation(store, { shoppers, minutes: data.chunkMinutes, seed: data.seed + index, start }, (m) => {
      const out = rewriter.rewrite(m);
      if (!out) return;
      batch.push(out);
      if (batch.length >= BATCH || out.ts > Date.now() + data.lookaheadMs) {
        report({ type: 'batch', messages: batch });
        batch = [];
      }
      // Ahead of the clock: sleep (the worker has nothing else to do) until the message is near due.
      while (out.ts > Date.now() + data.lookaheadMs) Atomics.wait(sleeper, 0, 0, 250);
    });
    if (batch.length > 0) report({ type: 'batch', messages: batch });
    // The next chunk starts where this one's store time ends, or after its last message if visits ran over,
    // so device streams never overlap or go back in time.
    start = Math.max(start + minutesMs, rewriter.lastTs() + 1_000);
    while (Date.now() + data.lookaheadMs < start) Atomics.wait(sleeper, 0, 0, 250);
  }
}

main().catch((error: Error) => report({ type: 'error', message: error.stack ?? error.message }));
