/**
 * The store server: one component that owns the running parts of a store box and starts and stops them in order.
 * Event log → engine (its sink is the event hub) → MQTT broker (embedded aedes, or an external one) → ingest client →
 * HTTP/WebSocket → simulated store feed. stop() undoes it in reverse: feed, listeners, HTTP, MQTT client, broker,
 * and finally the database once every decision is written, leaving no handle open.
 */
import pino, { type Logger } from 'pino';
import type { Engine, EngineConfig, EngineOptions } from '../engine/types.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import type { EntryAuthorizer } from '../identity/types.ts';
import type { EventLog } from '../storage/event-log.ts';
import { describeEventLogTarget, openEventLog, resolveEventLogTarget } from '../storage/open-event-log.ts';
import type { Store } from '../store/store.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.ts';
import type { ServerConfig } from './config.ts';
import { EventHub } from './event-hub.ts';
import { buildHttp } from './http.ts';
import { MqttIngest } from './ingest.ts';
import { createServerMetrics, type ServerMetrics } from './metrics.ts';
import { PlateTraces } from './plate-traces.ts';
import { SimFeed } from './sim-feed.ts';

export interface StoreServerOptions {
  config: ServerConfig;
  store: Store;
  /** Defaults to the real engine (src/engine/engine.ts). */
  createEngine?: (options: EngineOptions) => Engine;
  engineConfig?: Partial<EngineConfig>;
  authorizer?: EntryAuthorizer;
  logger?: Logger;
  /** Module exporting runSimulation for the simulated feed (tests swap in a small one). */
  simulateModule?: string;
  /** Process metrics (event loop, memory); off in tests that start many servers. */
  defaultMetrics?: boolean;
}

export interface StoreServerInfo {
  httpUrl: string;
  mqttUrl: string;
  db: string;
  staffToken: string;
}

type Closer = { name: string; close: () => Promise<void> | void };

export class StoreServer {
  readonly logger: Logger;
  private closers: Closer[] = [];
  private engine: Engine | null = null;
  private log: EventLog | null = null;
  private hub: EventHub | null = null;
  private ingest: MqttIngest | null = null;
  private broker: EmbeddedBroker | null = null;
  private info: StoreServerInfo | null = null;
  private metricsRef: ServerMetrics | null = null;

  constructor(private readonly options: StoreServerOptions) {
    this.logger = options.logger ?? pino({ level: options.config.logLevel, base: { store: options.store.def.id } });
  }

  /** Starts every part; on failure, stops what already started and rethrows. */
  async start(): Promise<StoreServerInfo> {
    if (this.info) return this.info;
    try {
      this.info = await this.startParts();
      return this.info;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private async startParts(): Promise<StoreServerInfo> {
    const { config, store } = this.options;
    const target = resolveEventLogTarget(config.db, config.dataDir);
    const log = await openEventLog(target);
    this.log = log;
    this.push('database', () => log.close());

    const traces = new PlateTraces();
    const hub = new EventHub(log, {
      onDecision: (event) => {
        this.metricsRef?.events.inc({ type: event.type });
        if (event.type === 'shelf.event') this.metricsRef?.shelfEvents.inc();
        if (event.type !== 'gate.command') return;
        const { gateId, action, admit, reason } = event.data;
        this.ingest?.publishGateCommand(gateId, { ts: event.t, action, admit, reason });
      },
      onAppendError: (error) => this.logger.error({ err: error }, 'event not written to the log'),
      onListenerError: (error) => this.logger.error({ err: error }, 'event subscriber failed'),
    });
    this.hub = hub;
    const createEngine = this.options.createEngine ?? (await import('../engine/engine.ts')).createEngine;
    const engine = createEngine({
      store,
      authorizer: this.options.authorizer ?? createDemoAuthorizer(),
      sink: hub.sink,
      config: this.options.engineConfig,
    });
    this.engine = engine;
    const metrics = createServerMetrics(
      {
        sessionsInside: () => engine.snapshot().sessions.filter((s) => s.state === 'inside').length,
        reviewsOpen: () => engine.stats().reviewsOpen,
        engineNow: () => engine.now(),
        wallNow: Date.now,
        brokerUp: () => this.brokerUp(),
        dbUp: () => hub.appendsHealthy(),
      },
      { defaultMetrics: this.options.defaultMetrics ?? true },
    );
    this.metricsRef = metrics;

    let brokerUrl = config.mqtt.broker;
    if (brokerUrl === 'embedded') {
      const broker = await startEmbeddedBroker({ host: config.mqtt.host, port: config.mqtt.port });
      this.broker = broker;
      this.push('mqtt broker', () => broker.close());
      brokerUrl = broker.url;
    }
    const ingest = await MqttIngest.connect({ brokerUrl, store, engine, metrics, traces, logger: this.logger });
    this.ingest = ingest;
    this.push('mqtt client', () => ingest.close());

    const app = await buildHttp({
      engine,
      store,
      log,
      hub,
      metrics,
      traces,
      staffToken: config.staffToken,
      logger: this.logger,
      ready: () => this.readiness(),
    });
    this.push('http', () => app.close());
    this.push('listeners', () => hub.clear());
    await app.listen({ host: config.http.host, port: config.http.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;

    if (config.sim.enabled) {
      const feed = new SimFeed({
        store,
        brokerUrl,
        logger: this.logger,
        ...config.sim,
        simulateModule: this.options.simulateModule,
      });
      await feed.start();
      this.push('sim feed', () => feed.stop());
    }
    const info = { httpUrl: `http://${host}:${port}`, mqttUrl: brokerUrl, db: describeEventLogTarget(target) };
    this.logger.info(info, 'store server started');
    return { ...info, staffToken: config.staffToken };
  }

  /** Stops every part that started, newest first; safe to call twice. */
  async stop(): Promise<void> {
    const closers = this.closers.reverse();
    this.closers = [];
    for (const { name, close } of closers) {
      // The database closes last, once every decision already made is on disk.
      if (name === 'database') await this.hub?.flush();
      try {
        await close();
      } catch (error) {
        this.logger.error({ err: error, part: name }, 'part did not stop cleanly');
      }
    }
    if (this.info) this.logger.info('store server stopped');
    this.info = null;
    this.ingest = null;
    this.broker = null;
  }

  /** The engine, for tests and in-process tools; null before start. */
  get runningEngine(): Engine | null {
    return this.engine;
  }

  private push(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  private brokerUp(): boolean {
    return (this.ingest?.connected() ?? false) && (this.broker?.up() ?? true);
  }

  private async readiness(): Promise<{ broker: boolean; db: boolean }> {
    const log = this.log;
    let db = false;
    if (log && this.hub?.appendsHealthy()) {
      const timeout = new Promise<false>((resolve) => setTimeout(resolve, 1_000, false).unref());
      db = await Promise.race([
        log.lastSeq().then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
    }
    return { broker: this.brokerUp(), db };
  }
}
