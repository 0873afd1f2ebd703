/**
 * MQTT ingest: one mqtt 5 client subscribed to every device topic of the store, feeding each message to the engine,
 * counting what came in and what was rejected (with a rate-limited warning per reject code), keeping plate samples
 * for weight traces, and publishing the engine's gate commands back to the gates.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Engine } from '../engine/types.ts';
import { WalkoutError } from '../errors.ts';
import { type GateCommandPayload, PROTOCOL_VERSION } from '../protocol/messages.ts';
import { deviceTopicsPattern, gateCommandTopic, parseTopic } from '../protocol/topics.ts';
import type { Store } from '../store/store.ts';
import type { ServerMetrics } from './metrics.ts';
import type { PlateTraces } from './plate-traces.ts';
import { RateLimitedLog } from './rate-limited-log.ts';

export interface IngestOptions {
  brokerUrl: string;
  store: Store;
  engine: Engine;
  metrics: ServerMetrics;
  traces: PlateTraces;
  logger: Logger;
  /** Wall clock for log rate limiting. */
  wallNow?: () => number;
  clientId?: string;
}

export class MqttIngest {
  private constructor(
    private readonly client: MqttClient,
    private readonly options: IngestOptions,
  ) {}

  /** Connects and subscribes; fails fast (instead of retrying forever) when the broker cannot be reached at start. */
  static async connect(options: IngestOptions): Promise<MqttIngest> {
    let client: MqttClient;
    try {
      client = await mqtt.connectAsync(
        options.brokerUrl,
        {
          clientId: options.clientId ?? `walkout-${options.store.def.id}-${process.pid}-${Date.now().toString(36)}`,
          clean: true,
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
    await client.subscribeAsync(deviceTopicsPattern(options.store.def.id), { qos: 1 });
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
    this.client.removeAllListeners('message');
    await this.client.endAsync();
    this.client.removeAllListeners();
  }

  private listen(): void {
    const { logger } = this.options;
    const rejects = new RateLimitedLog(logger, this.options.wallNow ?? Date.now);
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload, rejects));
    this.client.on('error', (error) => logger.error({ err: error }, 'mqtt client error'));
    this.client.on('offline', () => logger.warn({ broker: this.options.brokerUrl }, 'mqtt broker unreachable'));
    this.client.on('reconnect', () => logger.debug('mqtt reconnecting'));
    this.client.on('connect', () => logger.debug({ broker: this.options.brokerUrl }, 'mqtt connected'));
  }

  private onMessage(topic: string, payload: Buffer, rejects: RateLimitedLog): void {
    const { engine, metrics, logger } = this.options;
    const parsedTopic = parseTopic(topic);
    // Our own gate commands come back on the same wildcard; they are output, not input.
    if (!parsedTopic.ok && /\/gates\/[^/]+\/command$/.test(topic)) return;
    metrics.messagesIn.inc({ kind: parsedTopic.ok ? parsedTopic.value.kind : 'unknown' });
    let body: unknown = payload;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      // Left as bytes: validation rejects it as BAD_JSON with the parser's reason.
    }
    let outcome: ReturnType<Engine['ingest']>;
    try {
      outcome = engine.ingest(topic, body);
    } catch (error) {
      metrics.engineErrors.inc();
      rejects.warn('ENGINE_ERROR', { err: error, topic }, 'engine failed on a message');
      return;
    }
    if (!outcome.ok) {
      metrics.rejected.inc({ code: outcome.code });
      rejects.warn(outcome.code, { topic, code: outcome.code, reason: outcome.reason }, 'message rejected');
      return;
    }
    if (parsedTopic.ok && parsedTopic.value.kind === 'plate.weight') {
      const b = body as { ts: number; hz: number; grams: number[] };
      this.options.traces.add(parsedTopic.value.deviceId, b);
    }
    if (logger.isLevelEnabled('trace')) logger.trace({ topic }, 'message accepted');
  }
}
