/**
 * Load benchmark: the convenience store at full sensor rate against a real `walkout serve` in a child process
 * (embedded broker, SQLite journal and event log in a temp dir). The simulator's run (every plate at 60 Hz as
 * 12-sample batches every 200 ms, every camera at 15 fps) is published over MQTT in real time by a few device
 * clients, as devices would: sensor streams at QoS 0, gate messages at QoS 1, each plate batch sent when its last
 * sample is taken. Reports the server's CPU (% of one core), memory, message age when applied to the engine (publish →
 * engine, p99, from the server's summary; the bench's clock is the devices' clock), how long a gate waits for its
 * answer (scan published → command received), and dropped messages (published but never counted by the server).
 *
 *   npx tsx src/server/bench-load.ts [--minutes 3] [--shoppers 50] [--seed 1] [--camera-fps 15] [--sync normal|full]
 *
 * A benchmark, not a test: it prints a Markdown table and a JSON line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { gateCommandTopic } from '../protocol/topics.ts';
import { runSimulation } from '../sim/simulate.ts';
import { loadStoreFile } from '../store/load-store.ts';
import { freePort } from './free-port.ts';

const STAFF_TOKEN = 'bench-load-staff-token-0123';
const asStaff = { headers: { authorization: `Bearer ${STAFF_TOKEN}` } };
const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENTS = 4;

type Planned = { due: number; ts: number; topic: string; payload: string; qos: 0 | 1; client: number };

interface Flags {
  minutes: number;
  shoppers: number;
  seed: number;
  cameraFps: number;
  sync: 'full' | 'normal';
  store: string;
}

function flags(): Flags {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '3' },
      shoppers: { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      'camera-fps': { type: 'string', default: '15' },
      sync: { type: 'string', default: 'normal' },
      store: { type: 'string', default: 'examples/convenience.yaml' },
    },
  });
  return {
    minutes: Number(values.minutes),
    shoppers: Number(values.shoppers),
    seed: Number(values.seed),
    cameraFps: Number(values['camera-fps']),
    sync: values.sync === 'full' ? 'full' : 'normal',
    store: values.store ?? 'examples/convenience.yaml',
  };
}

/** The simulator's messages for the run, each with when (relative to the first, ms) a device would send it. */
function plan(f: Flags): Planned[] {
  const store = loadStoreFile(join(ROOT, f.store));
  if (!store.ok) throw new Error(store.reason);
  const out: Planned[] = [];
  let first: number | null = null;
  const clientOf = new Map<string, number>();
  runSimulation(
    store.value,
    { shoppers: f.shoppers, minutes: f.minutes, seed: f.seed, plateRate: 'full', cameraFps: f.cameraFps },
    (m) => {
      const body = m.payload as { ts: number; hz?: number; grams?: number[] };
      first ??= body.ts;
      const span = body.grams && body.hz ? ((body.grams.length - 1) * 1000) / body.hz : 0;
      const device = m.topic.split('/').slice(0, 4).join('/');
      if (!clientOf.has(device)) clientOf.set(device, clientOf.size % CLIENTS);
      out.push({
        due: body.ts + span - first,
        ts: body.ts,
        topic: m.topic,
        payload: JSON.stringify(m.payload),
        qos: m.topic.includes('/gates/') ? 1 : 0,
        client: clientOf.get(device)!,
      });
    },
  );
  const end = f.minutes * 60_000;
  return out.filter((m) => m.due <= end).sort((a, b) => a.due - b.due);
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? 0) * 1024;
}

/** The server's own CPU seconds (prom-client's process metrics), a cross-check of /proc. */
async function serverCpuSeconds(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return metric(text, 'walkout_process_process_cpu_seconds_total');
}

function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : Number.NaN;
}

function sum(text: string, prefix: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

async function startServer(f: Flags, dir: string, http: number, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, '--child', '--store', f.store, '--no-sim', '--port', String(http)],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        WALKOUT_DATA_DIR: dir,
        WALKOUT_MQTT_PORT: String(port),
        WALKOUT_LOG_LEVEL: 'error',
        WALKOUT_JOURNAL_SYNC: f.sync,
        WALKOUT_STAFF_TOKEN: STAFF_TOKEN,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('the server exited during start');
    if ((await fetch(`http://127.0.0.1:${http}/readyz`).catch(() => null))?.ok) return child;
    if (Date.now() > until) throw new Error('the server did not become ready');
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const f = flags();
  const genStart = performance.now();
  const messages = plan(f);
  const genSeconds = (performance.now() - genStart) / 1000;
  const store = loadStoreFile(join(ROOT, f.store));
  if (!store.ok) throw new Error(store.reason);
  console.error(`planned ${messages.length} messages in ${genSeconds.toFixed(1)} s; starting the server`);

  const dir = mkdtempSync(join(tmpdir(), 'walkout-load-'));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const child = await startServer(f, dir, httpPort, mqttPort);
  const url = `mqtt://127.0.0.1:${mqttPort}`;
  const clients: MqttClient[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(await mqtt.connectAsync(url, { clientId: `bench-device-${i}` }));
  const scanSentAt = new Map<number, number>();
  const gateLags: number[] = [];
  const listener = await mqtt.connectAsync(url, { clientId: 'bench-gates' });
  listener.on('message', (_topic, payload) => {
    const sent = scanSentAt.get((JSON.parse(payload.toString()) as { ts: number }).ts);
    if (sent !== undefined) gateLags.push(Date.now() - sent);
  });
  await listener.subscribeAsync(gateCommandTopic(store.value.def.id, '+'), { qos: 1 });

  const first = messages[0]!.ts;
  const wallStart = Date.now() + 500;
  const offset = wallStart - first;
  const cpu0 = cpuTicks(child.pid!);
  const selfCpu0 = await serverCpuSeconds(httpPort);
  let rssMax = 0;
  let published = 0;
  let maxBehind = 0;
  let nextProgress = 0;
  const t0 = Date.now();
  while (published < messages.length) {
    const now = Date.now();
    while (published < messages.length && messages[published]!.due + wallStart <= now) {
      const m = messages[published]!;
      const ts = m.ts + offset;
      const payload = m.payload.replace(`"ts":${m.ts}`, `"ts":${ts}`);
      if (m.topic.endsWith('/scan')) scanSentAt.set(ts, Date.now());
      clients[m.client]!.publish(m.topic, payload, { qos: m.qos });
      maxBehind = Math.max(maxBehind, now - (m.due + wallStart));
      published += 1;
    }
    if (now >= nextProgress) {
      rssMax = Math.max(rssMax, rssBytes(child.pid!));
      console.error(`${Math.round((now - t0) / 1000)} s: ${published}/${messages.length} published`);
      nextProgress = now + 10_000;
    }
    await sleep(5);
  }
  const publishSeconds = (Date.now() - t0) / 1000;
  const cpu1 = cpuTicks(child.pid!);
  const selfCpu1 = await serverCpuSeconds(httpPort);
  rssMax = Math.max(rssMax, rssBytes(child.pid!));
  await sleep(2_000);
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const counted = sum(text, 'walkout_messages_in_total{');
  const journal = (await (await fetch(`http://127.0.0.1:${httpPort}/api/journal`, asStaff)).json()) as {
    rows: number;
    bytes: number;
  };
  const result = {
    store: f.store,
    minutes: f.minutes,
    shoppers: f.shoppers,
    cameraFps: f.cameraFps,
    sync: f.sync,
    messages: messages.length,
    messagesPerSecond: Math.round(messages.length / publishSeconds),
    cpuPercentOfOneCore: Math.round(((cpu1 - cpu0) / 100 / publishSeconds) * 1000) / 10,
    cpuPercentSelfReported: Math.round(((selfCpu1 - selfCpu0) / publishSeconds) * 1000) / 10,
    loadAverage: loadavg()[0],
    rssMaxMiB: Math.round(rssMax / 2 ** 20),
    messageAgeP50Ms: Math.round(metric(text, 'walkout_message_age_seconds{quantile="0.5"}') * 1000),
    messageAgeP99Ms: Math.round(metric(text, 'walkout_message_age_seconds{quantile="0.99"}') * 1000),
    ingestQueueP99Ms: Math.round(metric(text, 'walkout_ingest_queue_seconds{quantile="0.99"}') * 1000),
    gateAnswers: gateLags.length,
    gateAnswerP99Ms: percentile(gateLags, 0.99),
    dropped: messages.length - counted,
    rejected: sum(text, 'walkout_messages_rejected_total{'),
    rejectedByCode: Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l.startsWith('walkout_messages_rejected_total{') && !l.endsWith(' 0'))
        .map((l) => [l.slice(l.indexOf('"') + 1, l.lastIndexOf('"')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
    ),
    journalCommits: metric(text, 'walkout_journal_commits_total'),
    journalMiBPerHour: Math.round(((journal.bytes / publishSeconds) * 3600) / 2 ** 20),
    publisherMaxBehindMs: maxBehind,
  };
  for (const c of [...clients, listener]) await c.endAsync();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    [
      '| messages/s | server CPU (% of one core) | RSS max | message age p50 / p99 | gate answer p99 | dropped | rejected |',
      '|---|---|---|---|---|---|---|',
      `| ${result.messagesPerSecond} | ${result.cpuPercentOfOneCore} % | ${result.rssMaxMiB} MiB | ${result.messageAgeP50Ms} / ${result.messageAgeP99Ms} ms | ${result.gateAnswerP99Ms} ms (${result.gateAnswers} scans) | ${result.dropped} | ${result.rejected} |`,
    ].join('\n'),
  );
  console.log(JSON.stringify(result));
}

if (process.argv.includes('--child')) {
  // The server side: exactly `walkout serve` (the serve command on its own commander program).
  const { Command } = await import('commander');
  const { registerServeCommand } = await import('./serve-command.ts');
  const program = new Command('walkout');
  registerServeCommand(program);
  const args = process.argv.slice(2).filter((a) => a !== '--child');
  await program.parseAsync(['node', 'walkout', 'serve', ...args]);
} else {
  await main();
}
