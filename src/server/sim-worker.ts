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
import { LeadInTrim } from './sim-lead-in.ts';
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
  /** The first chunk skips its empty start, keeping this much store time before the first scan, ms; 0: no skip. */
  leadInMs: number;
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
/** The most store time the first chunk skips waiting for its first shopper, ms. */
const MAX_SKIP_MS = 5 * 60_000;

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
    const emit = (m: RecordedMessage): void => {
      const out = rewriter.rewrite(m);
      if (!out) return;
      batch.push(out);
      if (batch.length >= BATCH || out.ts > Date.now() + data.lookaheadMs) {
        report({ type: 'batch', messages: batch });
        batch = [];
      }
      // Ahead of the clock: sleep (the worker has nothing else to do) until the message is near due.
      while (out.ts > Date.now() + data.lookaheadMs) Atomics.wait(sleeper, 0, 0, 250);
    };
    // Only the first chunk: later ones carry on from a store that is already busy.
    const trim =
      index === 0 && data.leadInMs > 0 ? new LeadInTrim({ leadInMs: data.leadInMs, maxSkipMs: MAX_SKIP_MS }) : null;
    const onMessage = trim ? (m: RecordedMessage) => trim.push(m).forEach(emit) : emit;
    runSimulation(store, { shoppers, minutes: data.chunkMinutes, seed: data.seed + index, start }, onMessage);
    trim?.flush().forEach(emit);
    if (batch.length > 0) report({ type: 'batch', messages: batch });
    // The next chunk starts where this one's store time ends (less what was skipped), or after its last message if
    // visits ran over, so device streams never overlap, go back in time or fall silent in between.
    start = Math.max(start + minutesMs - (trim?.skippedMs() ?? 0), rewriter.lastTs() + 1_000);
    while (Date.now() + data.lookaheadMs < start) Atomics.wait(sleeper, 0, 0, 250);
  }
}

main().catch((error: Error) => report({ type: 'error', message: error.stack ?? error.message }));
