/**
 * MQTT ingest. Device messages reach the engine by one of two doors, both acknowledging a QoS 1 message only once
 * its journal row is durable (see journal.ts):
 *  - with the embedded broker, the broker hands each device publish over before it acks it (broker.ts);
 *  - with an external broker (Mosquitto), this client holds a persistent session (clean: false, a stable client id,
 *    QoS 1 subscription) and sends its PUBACK only once the message is journalled, so the broker redelivers whatever
 *    a crash cut off. mqtt.js takes one message at a time here, so QoS 1 throughput is one journal commit per message.
 * The client also publishes the engine's gate commands. After a message is applied, the accounting here counts it
 * (messages in, rejects by code with a rate-limited warning, engine errors), keeps plate samples for weight traces,
 * updates the device health (last seen, clock skew) and the ingest lag summaries. Before the journal, the clock gate
 * refuses a device whose clock runs seconds ahead of the store (`createClockGate`).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { WalkoutError } from '../errors.ts';
import { type GateCommandPayload, isStaffMessage, PROTOCOL_VERSION } from '../protocol/messages.ts';
import { gateCommandTopic, parseTopic, TOPIC_ROOT } from '../protocol/topics.ts';
import { validateMessage } from '../protocol/validate.ts';
import type { Store } from '../store/store.ts';
import type { DeviceHealth } from './device-health.ts';
import { type AppliedCall, decodePayload } from './journal.ts';
import type { ServerMetrics } from './metrics.ts';
import type { PlateTraces } from './plate-traces.ts';
import { RateLimitedLog } from './rate-limited-log.ts';

/** Hands one device message to the engine; `done` once it is durable (an error: it was not, do not ack). */
export type DeviceFeed = (topic: string, payload: Uint8Array, qos: number, done: (error?: Error) => void) => void;

export interface IngestOptions {
  brokerUrl: string;
  store: Store;
  metrics: ServerMetrics;
  logger: Logger;
  /** Subscribe to the store's device topics and feed them here; absent when the embedded broker feeds the engine. */
  feed?: DeviceFeed;
  clientId?: string;
}

/**
 * Topics that carry device input for `storeId`: everything under walkout/<store>/ except what the server publishes
 * itself: gate commands, and the ops dashboard's alerts (`walkout/<store>/alerts/<id>`).
 */
export function isDeviceInput(storeId: string, topic: string): boolean {
  const root = `${TOPIC_ROOT}/${storeId}/`;
  return topic.startsWith(root) && !topic.startsWith(`${root}alerts/`) && !/\/gates\/[^/]+\/command$/.test(topic);
}

export class MqttIngest {
  private constructor(
    private readonly client: MqttClient,
    private readonly options: IngestOptions,
  ) {}

  /** Connects (and subscribes when feeding); fails fast instead of retrying forever when the broker is unreachable. */
  static async connect(options: IngestOptions): Promise<MqttIngest> {
    const storeId = options.store.def.id;
    const feeding = options.feed !== undefined;
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(
        options.brokerUrl,
        {
          // A persistent session is what makes the broker keep and redeliver messages while the server restarts.
          clientId:
            options.clientId ??
            (feeding ? `walkout-ingest-${storeId}` : `walkout-${storeId}-${process.pid}-${Date.now().toString(36)}`),
          clean: !feeding,
          connectTimeout: 5_000,
          reconnectPeriod: 1_000,
        },
        false,
      );
    } catch (error) {
      throw new WalkoutError(
        'BROKER_UNAVAILABLE',
        `cannot connect to ${options.brokerUrl}: ${(error as Error).message}`,
      );
    }
    const ingest = new MqttIngest(client, options);
    ingest.listen();
    if (options.feed) {
      const feed = options.feed;
      client.handleMessage = (packet, callback) => {
        if (!isDeviceInput(storeId, packet.topic)) return callback();
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        // mqtt.js sends the PUBACK when this callback runs.
        feed(packet.topic, payload, packet.qos, (error) => callback(error));
      };
      await client.subscribeAsync(`${TOPIC_ROOT}/${storeId}/#`, { qos: 1 });
    }
    return ingest;
  }

  connected(): boolean {
    return this.client.connected;
  }

  /** Sends a gate its command: `{v, ts, action, admit, reason}` at QoS 1. */
  publishGateCommand(gateId: string, command: Omit<GateCommandPayload, 'v'>): void {
    const payload: GateCommandPayload = { v: PROTOCOL_VERSION, ...command };
    const topic = gateCommandTopic(this.options.store.def.id, gateId);
    this.options.metrics.gateCommands.inc({ action: command.action });
    this.client.publish(topic, JSON.stringify(payload), { qos: 1 }, (error) => {
      if (error) this.options.logger.error({ err: error, topic }, 'gate command not published');
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
    this.client.removeAllListeners();
  }

  private listen(): void {
    const { logger } = this.options;
    this.client.on('error', (error) => logger.error({ err: error }, 'mqtt client error'));
    this.client.on('offline', () => logger.warn({ broker: this.options.brokerUrl }, 'mqtt broker unreachable'));
    this.client.on('reconnect', () => logger.debug('mqtt reconnecting'));
    this.client.on('connect', () => logger.debug({ broker: this.options.brokerUrl }, 'mqtt connected'));
  }
}

export interface AccountingDeps {
  metrics: ServerMetrics;
  traces: PlateTraces;
  health: DeviceHealth;
  logger: Logger;
  /** Wall clock for log rate limiting. */
  wallNow?: () => number;
  /** Warn (rate-limited) about a device whose clock is off by more than this, ms. */
  skewWarnMs?: number;
}

/** What happens after each live call is applied to the engine: counting, traces, device health. */
export function createIngestAccounting(
  deps: AccountingDeps,
): (applied: AppliedCall, receivedAt: number, appliedAt: number) => void {
  const { metrics, logger } = deps;
  const rejects = new RateLimitedLog(logger, deps.wallNow ?? Date.now);
  const skewWarnMs = deps.skewWarnMs ?? 2_000;
  return (applied, receivedAt, appliedAt) => {
    const { call } = applied;
    if (call.kind === 'resolve' && applied.resolved && !applied.resolved.ok) {
      logger.warn({ caseId: call.caseId, code: applied.resolved.code }, 'review decision not applied');
    }
    if (call.kind !== 'ingest') return;
    const topic = parseTopic(call.topic);
    metrics.messagesIn.inc({ kind: topic.ok ? topic.value.kind : 'unknown' });
    metrics.ingestQueue.observe((appliedAt - receivedAt) / 1000);
    if (topic.ok) deps.health.observe(topic.value, applied.body, receivedAt);
    if (applied.error) {
      metrics.engineErrors.inc();
      rejects.warn('ENGINE_ERROR', { err: applied.error, topic: call.topic }, 'engine failed on a message');
      return;
    }
    const outcome = applied.outcome;
    if (outcome && !outcome.ok) {
      metrics.rejected.inc({ code: outcome.code });
      rejects.warn(outcome.code, { topic: call.topic, code: outcome.code, reason: outcome.reason }, 'message rejected');
      if (outcome.code === 'TOO_LATE' || outcome.code === 'CLOCK_SKEW') warnSkew(topic, deps, rejects, skewWarnMs);
      return;
    }
    const body = applied.body as { ts: number; hz?: number; grams?: number[] };
    const sent = body.ts + (body.grams && body.hz ? ((body.grams.length - 1) * 1000) / body.hz : 0);
    metrics.messageAge.observe((appliedAt - sent) / 1000);
    if (topic.ok && topic.value.kind === 'plate.weight') {
      deps.traces.add(topic.value.deviceId, body as { ts: number; hz: number; grams: number[] });
    }
  };
}

export interface ClockGateDeps {
  store: Store;
  metrics: ServerMetrics;
  health: DeviceHealth;
  logger: Logger;
  /** Refuse a message stamped more than this (ms) ahead of the server's clock and of the other devices'; 0: never. */
  maxLeadMs: number;
  wallNow?: () => number;
}

/**
 * The edge's answer to a device clock gone fast: its messages, stamped seconds ahead of the server and of the other
 * devices (`DeviceHealth.aheadBy`), would move the store's clock there and every other device's messages would then
 * arrive too late. Such a message, once it is a valid message at all, is refused before the journal: counted as
 * CLOCK_SKEW, logged (rate-limited, naming the device) and kept in the device's health, so the rest of the store goes
 * on. True when refused. Only a message stamped ahead of the server's clock is looked at further.
 */
export function createClockGate(
  deps: ClockGateDeps,
): (topic: string, payload: Uint8Array, receivedAt: number) => boolean {
  const log = new RateLimitedLog(deps.logger, deps.wallNow ?? Date.now);
  return (topic, payload, receivedAt) => {
    if (deps.maxLeadMs <= 0) return false;
    const parsed = parseTopic(topic);
    if (!parsed.ok) return false;
    const body = decodePayload(payload);
    const lead = deps.health.aheadBy(parsed.value, body, receivedAt, deps.maxLeadMs);
    if (lead === null) return false;
    // A message that is no valid device message is the engine's to reject, with its own reason.
    const message = validateMessage(deps.store, topic, body);
    if (!message.ok || isStaffMessage(message.value)) return false;
    deps.health.observe(parsed.value, body, receivedAt);
    deps.metrics.messagesIn.inc({ kind: parsed.value.kind });
    deps.metrics.rejected.inc({ code: 'CLOCK_SKEW' });
    log.warn(
      `AHEAD:${parsed.value.deviceId}`,
      { device: parsed.value.deviceId, aheadMs: Math.round(lead) },
      'device clock runs ahead of the store: its messages are refused; fix its time sync (see docs/operations.md)',
    );
    return true;
  };
}

function warnSkew(
  topic: ReturnType<typeof parseTopic>,
  deps: AccountingDeps,
  rejects: RateLimitedLog,
  skewWarnMs: number,
): void {
  if (!topic.ok) return;
  const skewMs = deps.health.skewOf(topic.value);
  if (skewMs === null || Math.abs(skewMs) < skewWarnMs) return;
  rejects.warn(
    `SKEW:${topic.value.deviceId}`,
    { device: topic.value.deviceId, skewMs: Math.round(skewMs) },
    'device clock is off: fix its time sync (see docs/operations.md)',
  );
}
