/**
 * The store server: one component that owns the running parts of a store box and starts and stops them in order.
 * Event log + input journal → the shopper journey (accounts, entry codes, payments, receipt emails; shopper.ts),
 * whose gate check the engine uses → engine, rebuilt by replaying the journal (recovery.ts) → the journey's exit
 * flow, after it was handed the final receipts it missed → write-ahead journal in front of the engine (journal.ts),
 * whose decisions go to the event hub → MQTT broker (embedded aedes, or an external one) and ingest client →
 * HTTP/WebSocket (staff pages, ops dashboard, shopper app) → the edge clock ticker → simulated store feed. stop()
 * undoes it in reverse: feed, ticker, listeners, HTTP, MQTT client, broker, the journey (work in flight finished),
 * then every pending call journalled and applied, every decision logged, and finally the database, leaving no
 * handle open.
 */
import pino, { type Logger } from 'pino';
import type { EngineEvent } from '../engine/events.ts';
import type { Engine, EngineConfig, EngineOptions } from '../engine/types.ts';
import type { EntryAuthorizer } from '../identity/types.ts';
import type { EventLog } from '../storage/event-log.ts';
import type { InputJournal } from '../storage/input-journal.ts';
import {
  describeEventLogTarget,
  openEventLog,
  openInputJournal,
  resolveEventLogTarget,
} from '../storage/open-event-log.ts';
import type { Store } from '../store/store.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.ts';
import type { ServerConfig } from './config.ts';
import { DeviceHealth } from './device-health.ts';
import { EventHub } from './event-hub.ts';
import { freePort } from './free-port.ts';
import { buildHttp } from './http.ts';
import { createClockGate, createIngestAccounting, type DeviceFeed, isDeviceInput, MqttIngest } from './ingest.ts';
import { EngineJournal } from './journal.ts';
import { createServerMetrics, type ServerMetrics } from './metrics.ts';
import { PlateTraces } from './plate-traces.ts';
import type { CatchUpReport } from './receipt-catchup.ts';
import { type RecoveryReport, recoverFromJournal } from './recovery.ts';
import { createStoreShopper, type StoreShopper } from './shopper.ts';
import { SimFeed } from './sim-feed.ts';

export interface StoreServerOptions {
  config: ServerConfig;
  store: Store;
  /** Defaults to the real engine (src/engine/engine.ts). */
  createEngine?: (options: EngineOptions) => Engine;
  engineConfig?: Partial<EngineConfig>;
  /** Replaces the journey's gate check; must be fresh (no codes used yet): the journal replays every scan through it. */
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
  /** What start-up recovery replayed. */
  recovery: RecoveryReport;
  shopper: {
    /** The shopper app. */
    appUrl: string;
    /** Where receipt emails go. */
    mail: string;
    /** The folder receipt emails are written to when there is no SMTP server; null with SMTP. */
    outbox: string | null;
    payments: 'test' | 'stripe';
    /** Where the entry QR secret came from (`generated`: new in `<dataDir>/secrets.json`). */
    qrSecret: 'config' | 'file' | 'generated';
    demoCodes: boolean;
    /** Final receipts the exit flow got from the log at start. */
    catchUp: CatchUpReport;
  };
}

type Closer = { name: string; close: () => Promise<void> | void };

/** How often the edge clock checks whether devices went quiet, ms. */
const TICK_CHECK_MS = 50;

export class StoreServer {
  readonly logger: Logger;
  private closers: Closer[] = [];
  private engine: Engine | null = null;
  private log: EventLog | null = null;
  private hub: EventHub | null = null;
  private journal: EngineJournal | null = null;
  private ingest: MqttIngest | null = null;
  private broker: EmbeddedBroker | null = null;
  private info: StoreServerInfo | null = null;
  private metricsRef: ServerMetrics | null = null;
  private shopperRef: StoreShopper | null = null;

  constructor(private readonly options: StoreServerOptions) {
    this.logger = options.logger ?? pino({ level: options.config.logLevel, base: { store: options.store.def.id } });
  }

  /**
   * After a journal epoch: drops the journal rows before it once the event log holds every decision made before it
   * and refused none since start (else they stay, for recovery to see), so a restart replays from the epoch.
   */
  private async pruneAtEpoch(hub: EventHub, log: EventLog, inputs: InputJournal, seq: number, decisions: number) {
    try {
      await hub.flush();
      const logged = await log.lastSeq();
      if (logged < decisions || hub.appendFailures() > 0) {
        const failures = hub.appendFailures();
        this.logger.warn({ seq, logged, decisions, failures }, 'journal epoch: the event log lacks decisions; kept');
        return;
      }
      const pruned = await inputs.prune(seq);
      this.metricsRef?.journalPruned.inc(pruned);
      this.logger.info({ seq, pruned, decisions }, 'journal epoch: the rows before it were pruned');
    } catch (error) {
      this.logger.error({ err: error, seq }, 'journal epoch: pruning failed; the rows stay');
    }
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
    let inputs: InputJournal | null = null;
    this.push('database', async () => {
      await log.close();
      await inputs?.close();
    });
    inputs = await openInputJournal(target, { sync: config.journal.sync });
    const journalRows = inputs;
    const [first] = await inputs.read({ limit: 1 });
    const replayFrom = first?.kind === 'epoch' ? first.seed.decisions : 0;

    const hub = this.createHub(log);
    // Port 0 (any free port) is chosen now: receipt emails link to the shopper app at the real address.
    const httpPort = config.http.port === 0 ? await freePort(config.http.host) : config.http.port;
    const shopper = await createStoreShopper({
      config,
      store,
      hub,
      log,
      logger: this.logger,
      defaultAppUrl: `${httpBase(config.http.host, httpPort)}/app/`,
      replayFrom,
      ...(this.options.authorizer ? { authorizer: this.options.authorizer } : {}),
      onEmailed: (_visit, ms) => this.metricsRef?.receiptEmails.observe(ms / 1000),
    });
    this.shopperRef = shopper;
    // Closed after everything that feeds it and before the database (closers run newest first).
    this.push('shopper journey', () => shopper.close());
    // Until recovery is done, decisions are only compared with the log; then they go to the hub.
    const replayed: EngineEvent[] = [];
    let live = false;
    const createEngine = this.options.createEngine ?? (await import('../engine/engine.ts')).createEngine;
    const engine = createEngine({
      store,
      authorizer: shopper.authorizer,
      sink: (event) => (live ? hub.sink(event) : replayed.push(event)),
      config: this.options.engineConfig,
    });
    this.engine = engine;
    const recovery = await recoverFromJournal({ journal: inputs, log, engine, take: () => replayed.splice(0) });
    live = true;
    shopper.live();
    if (recovery.calls > 0) this.logger.info(recovery, 'engine rebuilt from the input journal');
    // Before any device is heard: the exit flow finishes what the log holds and it never saw.
    const catchUp = await shopper.start(describeEventLogTarget(target));

    const health = new DeviceHealth(store);
    const traces = new PlateTraces();
    const metrics = createServerMetrics(
      {
        sessionsInside: () => engine.snapshot().sessions.filter((s) => s.state === 'inside').length,
        reviewsOpen: () => engine.stats().reviewsOpen,
        engineNow: () => engine.now(),
        wallNow: Date.now,
        brokerUp: () => this.brokerUp(),
        dbUp: () => hub.appendsHealthy(),
        silentDevices: () => silentDevices(engine),
        devices: () => health.list(),
        journal: () => journalRows.stats(),
        journalBacklog: () => this.journal?.backlog() ?? 0,
      },
      { defaultMetrics: this.options.defaultMetrics ?? true },
    );
    this.metricsRef = metrics;
    for (const [what, value] of Object.entries(recovery)) metrics.recovery.set({ what }, value);

    const journal = new EngineJournal(
      engine,
      inputs,
      {
        onApplied: createIngestAccounting({
          metrics,
          traces,
          health,
          logger: this.logger,
          skewWarnMs: config.ingest.skewWarnMs,
        }),
        onCommit: () => metrics.journalCommits.inc(),
        onEpoch: (seq, seed) => {
          metrics.journalEpochs.inc();
          void this.pruneAtEpoch(hub, log, journalRows, seq, seed.decisions);
        },
        onJournalError: (error, calls) => {
          metrics.journalErrors.inc();
          this.logger.error({ err: error, calls }, 'engine calls not journalled; not applied');
        },
        onHookError: (error, call) => {
          metrics.engineErrors.inc();
          this.logger.error({ err: error, kind: call.kind }, 'accounting after an applied call failed');
        },
      },
      {
        tickQuietMs: config.ingest.tickQuietMs,
        epochEveryMs: config.journal.epochMinutes * 60_000 || Number.POSITIVE_INFINITY,
        lastEpochT: first?.kind === 'epoch' ? first.t : undefined,
      },
    );
    this.journal = journal;
    const clockGate = createClockGate({
      store,
      metrics,
      health,
      logger: this.logger,
      maxLeadMs: config.ingest.maxLeadMs,
    });
    const feed: DeviceFeed = (topic, payload, qos, done) => {
      if (!isDeviceInput(store.def.id, topic)) return done();
      // Refused for good: acknowledged, so the broker does not send it again.
      if (clockGate(topic, payload, Date.now())) return done();
      // QoS 0 has no ack to hold back: the device accepted that a crash may lose it.
      if (qos === 0) {
        journal.message(topic, payload);
        return done();
      }
      journal.message(topic, payload, done);
    };

    let brokerUrl = config.mqtt.broker;
    const embedded = brokerUrl === 'embedded';
    if (embedded) {
      const broker = await startEmbeddedBroker({ host: config.mqtt.host, port: config.mqtt.port, onPublish: feed });
      this.broker = broker;
      this.push('mqtt broker', () => broker.close());
      brokerUrl = broker.url;
    }
    const ingest = await MqttIngest.connect({
      brokerUrl,
      store,
      metrics,
      logger: this.logger,
      feed: embedded ? undefined : feed,
    });
    this.ingest = ingest;
    this.push('mqtt client', () => ingest.close());

    const app = await buildHttp({
      engine: journal.facade(),
      store,
      log,
      hub,
      metrics,
      traces,
      staffToken: config.staffToken,
      logger: this.logger,
      ready: () => this.readiness(),
      devices: () => ({ ...silentDevices(engine), devices: health.list() }),
      journal: () => ({ ...journalRows.stats(), backlog: journal.backlog(), recovery }),
      applied: () => journal.settled(),
      mqttUrl: brokerUrl,
      shopper,
    });
    this.push('http', () => app.close());
    this.push('listeners', () => hub.clear());
    await app.listen({ host: config.http.host, port: httpPort });
    const ticker = setInterval(() => {
      journal.maybeTick();
      journal.maybeEpoch();
    }, TICK_CHECK_MS);
    this.push('edge clock', () => clearInterval(ticker));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : httpPort;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;

    if (config.sim.enabled) {
      const simFeed = new SimFeed({
        store,
        brokerUrl,
        logger: this.logger,
        ...config.sim,
        simulateModule: this.options.simulateModule,
      });
      await simFeed.start();
      this.push('sim feed', () => simFeed.stop());
    }
    const httpUrl = `http://${host}:${port}`;
    const info = { httpUrl, mqttUrl: brokerUrl, db: describeEventLogTarget(target) };
    this.logger.info(info, 'store server started');
    const shopperInfo = {
      appUrl: config.shopper.appUrl ?? `${httpBase(config.http.host, port)}/app/`,
      mail: shopper.mail,
      outbox: shopper.outbox,
      payments: shopper.payments,
      qrSecret: shopper.qrSecret.source,
      demoCodes: config.shopper.demoCodes,
      catchUp,
    };
    return { ...info, staffToken: config.staffToken, recovery, shopper: shopperInfo };
  }

  /** Decisions go to the log and live subscribers; gate commands go out at once (they must not wait on the disk). */
  private createHub(log: EventLog): EventHub {
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
    return hub;
  }

  /** Stops every part that started, newest first; safe to call twice. */
  async stop(): Promise<void> {
    const closers = this.closers.reverse();
    this.closers = [];
    for (const { name, close } of closers) {
      // The database closes last, once every accepted call is applied and every decision is on disk.
      if (name === 'database') {
        await this.journal?.flush();
        await this.hub?.flush();
      }
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
    this.shopperRef = null;
  }

  /** The engine, for tests and in-process tools; null before start. */
  get runningEngine(): Engine | null {
    return this.engine;
  }

  /** The shopper journey (accounts, ledger, disputes, exit flow), for tests and in-process tools; null before start. */
  get shopper(): StoreShopper | null {
    return this.shopperRef;
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

/** An address people can open: a wildcard listen address is reached as localhost on the box itself. */
function httpBase(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

function silentDevices(engine: Engine): { plates: string[]; cameras: string[] } {
  const snapshot = engine.snapshot();
  return { plates: snapshot.silentPlates, cameras: snapshot.offlineCameras };
}
