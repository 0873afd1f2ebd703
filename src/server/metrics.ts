/**
 * The store server's Prometheus metrics (prom-client 15), in a registry of its own so several servers in one process
 * (tests) never collide. Counters are bumped by ingest and the event hub; gauges that describe "now" (sessions inside,
 * review queue, engine lag, broker/db health, silent devices, device clock skew, journal size) are read from probes
 * when /metrics is scraped.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry, Summary } from 'prom-client';
import { REJECT_CODES } from '../protocol/validate.ts';
import type { JournalStats } from '../storage/input-journal.ts';
import type { DeviceReport } from './device-health.ts';

export interface MetricProbes {
  sessionsInside(): number;
  reviewsOpen(): number;
  /** Newest event time the engine processed, ms epoch (not finite before the first message). */
  engineNow(): number;
  wallNow(): number;
  brokerUp(): boolean;
  dbUp(): boolean;
  /** Plates and cameras the engine considers silent / offline now. */
  silentDevices(): { plates: string[]; cameras: string[] };
  devices(): DeviceReport[];
  journal(): JournalStats;
  /** Calls waiting to be journalled. */
  journalBacklog(): number;
}

export interface ServerMetrics {
  readonly registry: Registry;
  readonly messagesIn: Counter<'kind'>;
  readonly rejected: Counter<'code'>;
  readonly events: Counter<'type'>;
  readonly shelfEvents: Counter;
  readonly engineErrors: Counter;
  readonly gateCommands: Counter<'action'>;
  readonly wsClients: Gauge;
  readonly journalErrors: Counter;
  readonly journalCommits: Counter;
  readonly journalEpochs: Counter;
  readonly journalPruned: Counter;
  /** Receive → applied to the engine (journal commit included), seconds. */
  readonly ingestQueue: Summary;
  /** Device send time → applied to the engine, seconds (includes the device's clock skew). */
  readonly messageAge: Summary;
  readonly recovery: Gauge<'what'>;
  /** Shopper exit → receipt email sent, seconds. */
  readonly receiptEmails: Summary;
}

export function createServerMetrics(probes: MetricProbes, options: { defaultMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'walkout_process_' });
  const registers = [registry];
  const messagesIn = new Counter({
    name: 'walkout_messages_in_total',
    help: 'Device messages received over MQTT, by message kind from the topic ("unknown" when unparseable)',
    labelNames: ['kind'],
    registers,
  });
  const rejected = new Counter({
    name: 'walkout_messages_rejected_total',
    help: 'Device messages rejected at ingest, by reject code',
    labelNames: ['code'],
    registers,
  });
  // Zero series for every code, so dashboards and alerts see them before the first reject.
  for (const code of REJECT_CODES) rejected.inc({ code }, 0);
  const events = new Counter({
    name: 'walkout_events_total',
    help: 'Engine decisions appended to the event log, by type',
    labelNames: ['type'],
    registers,
  });
  const shelfEvents = new Counter({ name: 'walkout_shelf_events_total', help: 'Shelf events decided', registers });
  const engineErrors = new Counter({
    name: 'walkout_engine_errors_total',
    help: 'Messages whose processing threw inside the engine (a bug; see the error log)',
    registers,
  });
  const gateCommands = new Counter({
    name: 'walkout_gate_commands_total',
    help: 'Gate commands published, by action',
    labelNames: ['action'],
    registers,
  });
  const wsClients = new Gauge({ name: 'walkout_ws_clients', help: 'Open /ws/events connections', registers });
  gauge(registry, 'walkout_sessions_inside', 'Shopping sessions with people inside the store', probes.sessionsInside);
  gauge(registry, 'walkout_review_queue_depth', 'Open review cases', probes.reviewsOpen);
  gauge(
    registry,
    'walkout_engine_lag_seconds',
    'Wall-clock time minus the newest event time processed (NaN before the first message)',
    () => {
      const t = probes.engineNow();
      return Number.isFinite(t) ? (probes.wallNow() - t) / 1000 : Number.NaN;
    },
  );
  gauge(registry, 'walkout_broker_up', '1 when the MQTT client is connected to the broker', () => +probes.brokerUp());
  gauge(registry, 'walkout_db_up', '1 when the event log accepts writes', () => +probes.dbUp());
  const journal = journalMetrics(registry, probes);
  deviceMetrics(registry, probes);
  const receiptEmails = new Summary({
    name: 'walkout_receipt_email_seconds',
    help: 'Shopper walked out → receipt email sent (capture included), last 10 min',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers,
  });
  return {
    registry,
    messagesIn,
    rejected,
    events,
    shelfEvents,
    engineErrors,
    gateCommands,
    wsClients,
    receiptEmails,
    ...journal,
  };
}

function journalMetrics(registry: Registry, probes: MetricProbes) {
  const registers = [registry];
  gauge(registry, 'walkout_journal_rows', 'Input journal rows kept (replayed on start)', () => probes.journal().rows);
  gauge(registry, 'walkout_journal_bytes', 'Input journal payload bytes kept', () => probes.journal().bytes);
  gauge(registry, 'walkout_journal_backlog', 'Engine calls waiting for their journal commit', probes.journalBacklog);
  const journalErrors = new Counter({
    name: 'walkout_journal_errors_total',
    help: 'Batches that could not be journalled (not applied; QoS 1 senders get no ack and send again)',
    registers,
  });
  const journalCommits = new Counter({
    name: 'walkout_journal_commits_total',
    help: 'Journal batches committed',
    registers,
  });
  const journalEpochs = new Counter({
    name: 'walkout_journal_epochs_total',
    help: 'Journal epochs: the engine started over from its seed at a quiet moment',
    registers,
  });
  const journalPruned = new Counter({
    name: 'walkout_journal_pruned_rows_total',
    help: 'Journal rows pruned before an epoch (a restart no longer replays them)',
    registers,
  });
  const percentiles = [0.5, 0.9, 0.99];
  const ingestQueue = new Summary({
    name: 'walkout_ingest_queue_seconds',
    help: 'Device message received by the server → applied to the engine (journal commit included)',
    percentiles,
    maxAgeSeconds: 120,
    ageBuckets: 4,
    registers,
  });
  const messageAge = new Summary({
    name: 'walkout_message_age_seconds',
    help: 'Device send time → applied to the engine; includes network, broker, journal and the device clock skew',
    percentiles,
    maxAgeSeconds: 120,
    ageBuckets: 4,
    registers,
  });
  const recovery = new Gauge({
    name: 'walkout_recovery',
    help: 'The last start-up recovery: calls replayed, decisions matched and appended, seconds taken',
    labelNames: ['what'],
    registers,
  });
  return { journalErrors, journalCommits, journalEpochs, journalPruned, ingestQueue, messageAge, recovery };
}

function deviceMetrics(registry: Registry, probes: MetricProbes): void {
  gauge(registry, 'walkout_silent_plates', 'Plates that stopped reporting', () => probes.silentDevices().plates.length);
  gauge(
    registry,
    'walkout_offline_cameras',
    'Cameras that stopped sending frames',
    () => probes.silentDevices().cameras.length,
  );
  new Gauge({
    name: 'walkout_device_silent',
    help: '1 when the engine considers the plate silent or the camera offline, else 0',
    labelNames: ['device', 'kind'],
    registers: [registry],
    collect() {
      const silent = probes.silentDevices();
      const off = new Set([...silent.plates.map((id) => `plate:${id}`), ...silent.cameras.map((id) => `camera:${id}`)]);
      this.reset();
      for (const d of probes.devices()) {
        if (d.kind !== 'gate') this.set({ device: d.deviceId, kind: d.kind }, +off.has(`${d.kind}:${d.deviceId}`));
      }
    },
  });
  new Gauge({
    name: 'walkout_device_clock_skew_seconds',
    help: 'Median of device send time minus server receive time over its last messages (absent before its first)',
    labelNames: ['device', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const d of probes.devices()) {
        if (d.skewMs !== null) this.set({ device: d.deviceId, kind: d.kind }, d.skewMs / 1000);
      }
    },
  });
  new Gauge({
    name: 'walkout_device_last_seen_seconds',
    help: 'Seconds since the device last sent anything (absent before its first message)',
    labelNames: ['device', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      const now = probes.wallNow();
      for (const d of probes.devices()) {
        if (d.lastSeenAt !== null) this.set({ device: d.deviceId, kind: d.kind }, (now - d.lastSeenAt) / 1000);
      }
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
