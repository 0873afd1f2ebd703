/**
 * The embedded MQTT broker: aedes 1 behind a node:net TCP listener, for a store box that runs no Mosquitto.
 * With `onPublish`, every publish from a client is handed over before aedes acknowledges it (aedes sends a QoS 1
 * PUBACK only after its authorizePublish hook calls back): that is how a device's message is journalled before the
 * device is told it arrived. Closing the broker ends every client connection first, so shutdown never waits on a
 * device's keep-alive.
 */
import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  /** `mqtt://host:port` a client connects to. */
  readonly url: string;
  readonly port: number;
  /** True until close() is called or the listener fails. */
  up(): boolean;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /**
   * Sees every client publish first; aedes delivers it to subscribers (and acks QoS ≥ 1) only after `done()`.
   * `done(error)` refuses it: the client is disconnected and resends it after reconnecting.
   */
  onPublish?: (topic: string, payload: Uint8Array, qos: number, done: (error?: Error) => void) => void;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const onPublish = options.onPublish;
  const broker = await Aedes.createBroker(
    onPublish
      ? {
          authorizePublish: (_client, packet, callback) => {
            const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
            onPublish(packet.topic, payload, packet.qos, (error) => callback(error ?? null));
          },
        }
      : {},
  );
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  let listening = false;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      listening = true;
      resolve();
    });
  }).catch(async (error: Error) => {
    await new Promise<void>((r) => broker.close(() => r()));
    throw error;
  });
  server.on('error', () => {
    listening = false;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    up: () => listening && !broker.closed,
    async close() {
      listening = false;
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => broker.close(() => r()));
      await closed;
      server.removeAllListeners();
    },
  };
}
