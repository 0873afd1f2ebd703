/**
 * The store server's Prometheus metrics (prom-client 15), in a registry of its own so several servers in one process
 * (tests) never collide. Counters are bumped by ingest and the event hub; gauges that describe "now" (sessions inside,
 * review queue, engine lag, broker/db health) are read from probes when /metrics is scraped.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { REJECT_CODES } from '../protocol/validate.ts';

export interface MetricProbes {
  sessionsInside(): number;
  reviewsOpen(): number;
  /** Newest event time the engine processed, ms epoch (not finite before the first message). */
  engineNow(): number;
  wallNow(): number;
  brokerUp(): boolean;
  dbUp(): boolean;
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
  return { registry, messagesIn, rejected, events, shelfEvents, engineErrors, gateCommands, wsClients };
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
