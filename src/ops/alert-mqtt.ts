/**
 * Alerts over MQTT for other systems (a staff pager, a BMS, a replenishment service): one topic per alert,
 * `walkout/<store>/alerts/<alert id>`, JSON payload version 1 (docs/operations-planning.md). Open and acknowledged
 * alerts are retained, so a subscriber that connects later sees what is open now; when an alert is done its final
 * payload is sent once, then the retained copy is cleared with an empty payload (subscribers ignore empty messages).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { TOPIC_ROOT } from '../protocol/topics.ts';
import type { Alert } from './alerts.ts';

export const ALERT_PAYLOAD_VERSION = 1;

export interface AlertPayload {
  v: typeof ALERT_PAYLOAD_VERSION;
  storeId: string;
  id: string;
  kind: Alert['kind'];
  severity: Alert['severity'];
  state: Alert['state'];
  subject: Alert['subject'];
  message: string;
  detail: Alert['detail'];
  /** Event times, ms epoch. */
  opened: number;
  updated: number;
  acknowledged: { by: string; t: number } | null;
  done: { by: string; t: number; auto: boolean } | null;
}

export function alertTopic(storeId: string, alertId: string): string {
  return `${TOPIC_ROOT}/${storeId}/alerts/${alertId}`;
}

/** Subscription pattern for every alert of a store. */
export function alertTopicsPattern(storeId: string): string {
  return `${TOPIC_ROOT}/${storeId}/alerts/+`;
}

export function alertPayload(storeId: string, alert: Alert): AlertPayload {
  return {
    v: ALERT_PAYLOAD_VERSION,
    storeId,
    id: alert.id,
    kind: alert.kind,
    severity: alert.severity,
    state: alert.state,
    subject: alert.subject,
    message: alert.message,
    detail: alert.detail,
    opened: alert.opened,
    updated: alert.updated,
    acknowledged: alert.acknowledged ?? null,
    done: alert.done ?? null,
  };
}

/** What a publisher must do for one alert change: messages in order, each with its retain flag. */
export function alertMessages(storeId: string, alert: Alert): { topic: string; payload: string; retain: boolean }[] {
  const topic = alertTopic(storeId, alert.id);
  const payload = JSON.stringify(alertPayload(storeId, alert));
  if (alert.state !== 'done') return [{ topic, payload, retain: true }];
  return [
    { topic, payload, retain: false },
    { topic, payload: '', retain: true },
  ];
}

export type PublishFn = (topic: string, payload: string, retain: boolean) => void;

/** An MQTT connection that publishes alert changes (QoS 1); `close()` ends it. */
export class AlertPublisher {
  private constructor(
    private readonly client: MqttClient,
    private readonly storeId: string,
    private readonly onError: (error: Error) => void,
  ) {}

  /**
   * Starts connecting and returns at once: a store server must start even while its broker is away. QoS 1 messages
   * published before the connection is up are queued by the client and sent once it is.
   */
  static open(options: { brokerUrl: string; storeId: string; onError?: (error: Error) => void }): AlertPublisher {
    const onError = options.onError ?? (() => {});
    const client = mqtt.connect(options.brokerUrl, {
      clientId: `walkout-ops-${options.storeId}-${process.pid}`,
      reconnectPeriod: 1_000,
    });
    client.on('error', onError);
    return new AlertPublisher(client, options.storeId, onError);
  }

  readonly publish = (alert: Alert): void => {
    for (const m of alertMessages(this.storeId, alert)) {
      this.client.publish(m.topic, m.payload, { qos: 1, retain: m.retain }, (error) => {
        if (error) this.onError(error);
      });
    }
  };

  /** Lets queued alerts go out for up to a second, then closes regardless (shutdown must not hang on a broker). */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(resolve, 1_000, 'late');
    });
    const outcome = await Promise.race([this.client.endAsync().then(() => 'ended' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.client.endAsync(true);
  }
}
