/**
 * The simulated store feed for demos and `npm start`: a worker generates the simulator's device messages chunk after
 * chunk starting at wall-clock now, and this side publishes each one over MQTT at its device time with a real MQTT
 * client, like a device would. Shoppers move and carts fill on the live pages as if the store were real. The first
 * chunk skips its empty start, so the first shopper arrives seconds after start (sim-lead-in.ts). Memory stays
 * bounded: the worker runs at most `lookaheadMs` ahead of the wall clock, and published messages are dropped.
 */
import { Worker } from 'node:worker_threads';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { WalkoutError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { FeedMessage } from './sim-rewrite.ts';
import type { SimWorkerData, SimWorkerReport } from './sim-worker.ts';

export interface SimFeedOptions {
  store: Store;
  brokerUrl: string;
  logger: Logger;
  shoppersPerHour: number;
  chunkMinutes: number;
  seed: number;
  /** How far ahead of the wall clock the worker generates, ms. */
  lookaheadMs?: number;
  /** Module exporting runSimulation; defaults to src/sim/simulate.ts. */
  simulateModule?: string;
  /** Store time kept before the first chunk's first scan, ms (its empty start is skipped); 0: no skip. */
  leadInMs?: number;
}

/** How often due messages are published. */
const TICK_MS = 20;

export class SimFeed {
  private worker: Worker | null = null;
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private queue: FeedMessage[] = [];
  private head = 0;
  private published = 0;

  constructor(private readonly options: SimFeedOptions) {}

  async start(): Promise<void> {
    const { options } = this;
    this.client = await mqtt.connectAsync(
      options.brokerUrl,
      // No queue while the broker is away: a device's stale readings are lost, not piled up in memory.
      {
        clientId: `walkout-sim-${options.store.def.id}-${process.pid}`,
        clean: true,
        reconnectPeriod: 1_000,
        queueQoSZero: false,
      },
      false,
    );
    const data: SimWorkerData = {
      store: options.store.def,
      shoppersPerHour: options.shoppersPerHour,
      chunkMinutes: options.chunkMinutes,
      seed: options.seed,
      start: Date.now(),
      lookaheadMs: options.lookaheadMs ?? 3_000,
      simulateModule: options.simulateModule ?? new URL('../sim/simulate.ts', import.meta.url).href,
      leadInMs: options.leadInMs ?? 5_000,
    };
    const worker = startTsWorker(new URL('./sim-worker.ts', import.meta.url), data);
    this.worker = worker;
    worker.on('message', (report: SimWorkerReport) => this.onReport(report));
    worker.on('error', (error) => options.logger.error({ err: error }, 'simulated store stopped'));
    this.timer = setInterval(() => this.publishDue(Date.now()), TICK_MS);
    options.logger.info(
      { shoppersPerHour: options.shoppersPerHour, chunkMinutes: options.chunkMinutes },
      'simulated store feed started',
    );
  }

  /** Messages published so far. */
  count(): number {
    return this.published;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      worker.removeAllListeners('message');
      await worker.terminate();
      worker.removeAllListeners();
    }
    const client = this.client;
    this.client = null;
    if (client) {
      await client.endAsync();
      client.removeAllListeners();
    }
    this.queue = [];
    this.head = 0;
  }

  private onReport(report: SimWorkerReport): void {
    const { logger } = this.options;
    if (report.type === 'batch') {
      for (const m of report.messages) this.queue.push(m);
    } else if (report.type === 'chunk') {
      logger.info(
        { chunk: report.index, start: new Date(report.start).toISOString(), shoppers: report.shoppers },
        'simulating',
      );
    } else {
      logger.error({ err: new WalkoutError('SIM_FAILED', report.message) }, 'simulated store stopped');
    }
  }

  private publishDue(now: number): void {
    const client = this.client;
    if (!client) return;
    const connected = client.connected;
    while (this.head < this.queue.length) {
      const m = this.queue[this.head]!;
      if (m.ts > now) break;
      this.head += 1;
      if (!connected) continue;
      this.published += 1;
      // Gate messages matter one by one; sensor batches are streams where QoS 0 is what devices use.
      const qos = m.topic.includes('/gates/') ? 1 : 0;
      client.publish(m.topic, m.payload, { qos });
    }
    if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Workers do not inherit tsx's loader hooks, so the worker first registers tsx itself, then loads the TypeScript
 * module: the same code runs under `tsx`, `node --import tsx` and the test runner.
 */
function startTsWorker(module: URL, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
