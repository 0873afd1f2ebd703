/**
 * Runs the pose model on a worker thread so the main thread keeps draining ffmpeg while a frame is being inferred
 * (TF.js WASM inference blocks its thread for hundreds of ms; on the main thread the pipes would stall, ffmpeg would
 * block and a live camera would fall behind silently instead of dropping frames visibly). One thread per core.
 *
 * This file is both sides: `ThreadedDetector` (main thread) and the thread body (when loaded as a worker).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { WalkoutError } from '../errors.ts';
import type { Detection } from '../protocol/messages.ts';
import { type FrameTiming, PoseModel, type PoseModelOptions } from './pose-model.ts';
import type { FrameDetector } from './worker.ts';

interface Request {
  id: number;
  rgb: Uint8Array;
  width: number;
  height: number;
}
type Reply =
  | { id: number; ok: true; people: Detection[]; timing: FrameTiming }
  | { id: number; ok: false; message: string }
  | { ready: true }
  | { ready: false; message: string };

/** Starts a TypeScript module as a worker thread through tsx (the project runs without a build step). */
function startTsWorker(module: URL, data: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

export class ThreadedDetector implements FrameDetector {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      if ('id' in reply) {
        this.waiting.get(reply.id)?.resolve(reply);
        this.waiting.delete(reply.id);
      }
    });
    worker.on('error', (error) => {
      for (const w of this.waiting.values()) w.resolve({ id: -1, ok: false, message: error.message });
      this.waiting.clear();
    });
  }

  static async start(options: PoseModelOptions = {}): Promise<ThreadedDetector> {
    const worker = startTsWorker(new URL(import.meta.url), { poseThread: true, options });
    const ready = await new Promise<Reply>((resolve) => {
      worker.once('message', resolve);
      worker.once('error', (error) => resolve({ ready: false, message: error.message }));
    });
    if (!('ready' in ready) || !ready.ready) {
      await worker.terminate();
      throw new WalkoutError(
        'MODEL_FAILED',
        `inference thread did not start: ${'message' in ready ? ready.message : '?'}`,
      );
    }
    return new ThreadedDetector(worker);
  }

  async detect(rgb: Uint8Array, width: number, height: number, timing?: FrameTiming): Promise<Detection[]> {
    const id = this.next++;
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.set(id, { resolve });
      // Copy into a fresh buffer we can transfer: the frame may be a view into a larger pooled buffer.
      const copy = new Uint8Array(rgb);
      this.worker.postMessage({ id, rgb: copy, width, height } satisfies Request, [copy.buffer]);
    });
    if (!('id' in reply) || !reply.ok) {
      throw new WalkoutError('MODEL_FAILED', `inference failed: ${'message' in reply ? reply.message : '?'}`);
    }
    if (timing) {
      timing.detectMs += reply.timing.detectMs;
      timing.poseMs += reply.timing.poseMs;
    }
    return reply.people;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

async function threadMain(options: PoseModelOptions): Promise<void> {
  const port = parentPort!;
  let model: PoseModel;
  try {
    model = await PoseModel.load(options);
  } catch (error) {
    port.postMessage({ ready: false, message: (error as Error).message } satisfies Reply);
    return;
  }
  port.on('message', async (req: Request) => {
    const timing: FrameTiming = { detectMs: 0, poseMs: 0 };
    try {
      const people = await model.detect(req.rgb, req.width, req.height, timing);
      port.postMessage({ id: req.id, ok: true, people, timing } satisfies Reply);
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, message: (error as Error).message } satisfies Reply);
    }
  });
  port.postMessage({ ready: true } satisfies Reply);
}

const data = workerData as { poseThread?: boolean; options?: PoseModelOptions } | null;
if (!isMainThread && data?.poseThread) void threadMain(data.options ?? {});
