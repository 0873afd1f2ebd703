/**
 * Where the camera worker's messages go: an MQTT broker (as a real detector box would publish them, QoS 0 because a
 * late pose is worthless) and/or an NDJSON recording in the project's recording format.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { RecordingWriter } from '../protocol/recording.ts';
import type { Publish } from './worker.ts';

export interface Sink {
  publish: Publish;
  close(): Promise<void>;
}

export async function mqttSink(brokerUrl: string, clientId: string): Promise<Sink> {
  const client: MqttClient = await mqtt.connectAsync(
    brokerUrl,
    { clientId, clean: true, reconnectPeriod: 1_000 },
    false,
  );
  return {
    publish: async (topic, payload) => {
      // While disconnected, mqtt.js queues in memory: skip instead, a stale pose is useless and the queue unbounded.
      if (!client.connected) return;
      await client.publishAsync(topic, JSON.stringify(payload), { qos: 0 });
    },
    close: () => client.endAsync(),
  };
}

export function recordingSink(file: string): Sink {
  const writer = new RecordingWriter(file);
  return {
    publish: (topic, payload) => writer.write({ topic, payload }),
    close: () => writer.close(),
  };
}

/** Publishes to every sink in turn. */
export function fanOut(sinks: readonly Sink[]): Sink {
  return {
    publish: async (topic, payload) => {
      for (const s of sinks) await s.publish(topic, payload);
    },
    close: async () => {
      for (const s of sinks) await s.close();
    },
  };
}
