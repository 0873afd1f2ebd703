/**
 * Starts a real store server for integration tests: real engine, real SQLite event log in a temp dir, HTTP on a free
 * port, and either the embedded aedes broker or an external broker url; plus a Mosquitto launcher for the external
 * case (skipped by the caller when `mosquitto` is not installed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { type ConfigOverrides, loadConfig } from '../src/server/config.ts';
import { StoreServer, type StoreServerInfo } from '../src/server/store-server.ts';
import { freePort, testStore } from './server-fixtures.ts';

/** The staff token every harness server runs with, and fetch options that send it (engine state is staff only). */
export const STAFF_TOKEN = 'test-staff-token-0123456789';
export const asStaff = { headers: { authorization: `Bearer ${STAFF_TOKEN}` } };

export interface RunningServer {
  server: StoreServer;
  info: StoreServerInfo;
  dir: string;
  /** Stops the server and removes its temp dir. */
  close(): Promise<void>;
}

export async function startTestServer(
  overrides: ConfigOverrides = {},
  simulateModule?: string,
): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-server-'));
  const { server, info } = await startServerIn(dir, overrides, simulateModule);
  return {
    server,
    info,
    dir,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A store server on a data dir the caller keeps (to restart on it); the caller stops it. */
export async function startServerIn(
  dir: string,
  overrides: ConfigOverrides = {},
  simulateModule?: string,
): Promise<{ server: StoreServer; info: StoreServerInfo }> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      db: 'sqlite',
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { broker: 'embedded', host: '127.0.0.1', port: 0 },
      sim: { enabled: false },
      staffToken: STAFF_TOKEN,
      logLevel: 'silent',
      // The fixtures' visits scan the simulator's demo codes; tests of signed codes turn this off.
      shopper: { demoCodes: true },
      ...overrides,
    },
  });
  if (!config.ok) throw new Error(config.reason);
  const server = new StoreServer({
    config: config.value,
    store: testStore(),
    logger: pino({ level: 'silent' }),
    defaultMetrics: false,
    simulateModule,
  });
  return { server, info: await server.start() };
}

export async function deviceClient(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: `test-device-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
}

function onPath(bin: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  for (const dir of ['/usr/sbin', '/usr/local/sbin']) if (existsSync(join(dir, bin))) return join(dir, bin);
  return null;
}

export const MOSQUITTO = onPath('mosquitto');

export interface Mosquitto {
  url: string;
  stop(): Promise<void>;
}

/** Starts Mosquitto on a free localhost port with anonymous access, and waits until it accepts connections. */
export async function startMosquitto(): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error('mosquitto not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'walkout-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const proc: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
  const until = Date.now() + 5_000;
  while (!(await canConnect(port))) {
    if (Date.now() > until || proc.exitCode !== null) throw new Error('mosquitto did not start');
    await sleep(50);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The value of one Prometheus sample line, e.g. `walkout_messages_rejected_total{code="BAD_JSON"}`. */
export function metricValue(text: string, sample: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return null;
}
