/**
 * Crash safety of a real store server: `walkout serve` on the kiosk example runs as a child process (embedded broker,
 * SQLite in a temp dir, no built-in sim). A simulated busy period is published over real MQTT by an mqtt.js client at
 * QoS 1 (it resends what was in flight when the connection dropped). The server is SIGKILLed at seeded moments in
 * the middle of the stream and once more after staff resolved the review cases, and restarted each time on the same
 * data dir. At the end: no cart line seen in the log before a kill is gone or changed after it, no visit has two final
 * receipts, and the decisions (review cases, cart lines, final receipts) equal those of one uninterrupted engine fed
 * the same messages and the same staff decisions.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { createEngine } from '../src/engine/engine.ts';
import type { EngineEvent, LoggedEvent } from '../src/engine/events.ts';
import { createDemoAuthorizer } from '../src/identity/demo-authorizer.ts';
import type { ReviewAlternative, ReviewCase } from '../src/review/types.ts';
import { createRng } from '../src/sim/random.ts';
import { runSimulation } from '../src/sim/simulate.ts';
import { loadStoreFile } from '../src/store/load-store.ts';
import { freePort, waitFor } from './server-fixtures.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KIOSK = join(ROOT, 'examples/kiosk.yaml');
const CHILD = fileURLToPath(new URL('./runtime-serve-child.ts', import.meta.url));
const TOKEN = 'runtime-kill-staff-token-0123';
const asStaff = { headers: { authorization: `Bearer ${TOKEN}` } };
const SEED = 11;
/** Messages in flight at once; the publisher waits for their acks before sending more, which keeps them in order. */
const WINDOW = 150;

const debug = process.env.WALKOUT_TEST_DEBUG ? (...a: unknown[]) => console.error(...a) : () => {};

type Wire = { topic: string; payload: string; ts: number };
type Resolution = { caseId: string; choice: ReviewAlternative; reviewer: string; t: number };

/** The busy period: the simulator's kiosk, then 12 s of quiet plate reports so the last receipts can settle. */
function busyPeriod(): Wire[] {
  const store = loadStoreFile(KIOSK);
  if (!store.ok) throw new Error(store.reason);
  const out: Wire[] = [];
  runSimulation(store.value, { shoppers: 10, minutes: 2, seed: SEED, cameraFps: 3 }, (m) => {
    out.push({ topic: m.topic, payload: JSON.stringify(m.payload), ts: (m.payload as { ts: number }).ts });
  });
  const end = out[out.length - 1]!.ts;
  const lastOfPlate = new Map<string, { grams: number[] }>();
  for (const m of out) if (m.topic.includes('/plates/')) lastOfPlate.set(m.topic, JSON.parse(m.payload));
  for (let t = end + 1_000; t <= end + 12_000; t += 1_000) {
    for (const [topic, last] of lastOfPlate) {
      const payload = { v: 1, ts: t, hz: 1, grams: [last.grams[last.grams.length - 1]] };
      out.push({ topic, payload: JSON.stringify(payload), ts: t });
    }
  }
  return out;
}

class ServerProcess {
  private child: ChildProcess | null = null;
  stderr = '';
  constructor(
    private readonly dir: string,
    readonly httpPort: number,
    readonly mqttPort: number,
  ) {}

  get http(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  start(): void {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, '--store', KIOSK, '--no-sim', '--port', String(this.httpPort)],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          WALKOUT_DATA_DIR: this.dir,
          WALKOUT_MQTT_PORT: String(this.mqttPort),
          WALKOUT_STAFF_TOKEN: TOKEN,
          WALKOUT_LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  async ready(): Promise<void> {
    await waitFor(
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`server exited: ${this.stderr}`);
        return (await fetch(`${this.http}/readyz`).catch(() => null))?.ok;
      },
      30_000,
      'the server to be ready',
    );
  }

  /** A crash: no chance to flush or close anything. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** A clean shutdown. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

async function events(http: string, types?: string): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  for (;;) {
    const after = out.length ? out[out.length - 1]!.seq : 0;
    const query = `after=${after}&limit=10000${types ? `&types=${types}` : ''}`;
    const body = (await (await fetch(`${http}/api/events?${query}`, asStaff)).json()) as { events: LoggedEvent[] };
    out.push(...body.events);
    if (body.events.length < 10_000) return out;
  }
}

/** The same messages and staff decisions through one engine that never stops. */
function uninterrupted(messages: Wire[], resolutions: Resolution[]): EngineEvent[] {
  const store = loadStoreFile(KIOSK);
  if (!store.ok) throw new Error(store.reason);
  const out: EngineEvent[] = [];
  const engine = createEngine({ store: store.value, authorizer: createDemoAuthorizer(), sink: (e) => out.push(e) });
  for (const m of messages) engine.ingest(m.topic, JSON.parse(m.payload));
  engine.tick(messages[messages.length - 1]!.ts + 60_000);
  for (const r of resolutions) engine.resolveReview(r.caseId, r.choice, r.reviewer, r.t);
  return out;
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const decisions = (list: EngineEvent[], type: EngineEvent['type']) =>
  list.filter((e) => e.type === type).map((e) => ({ t: e.t, data: e.data }));

describe('store server killed and restarted mid-stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-kill-'));
  let server: ServerProcess | null = null;
  let publisher: mqtt.MqttClient | null = null;
  after(async () => {
    await publisher?.endAsync(true);
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no cart line, charges no visit twice and decides like an uninterrupted run', {
    timeout: 120_000,
  }, async () => {
    const messages = busyPeriod();
    const rng = createRng(SEED);
    const killAt = [rng.uniform(0.15, 0.45), rng.uniform(0.55, 0.85)].map((f) => Math.floor(f * messages.length));
    server = new ServerProcess(dir, await freePort(), await freePort());
    const running = server;
    running.start();
    await running.ready();

    const seenLines = new Map<number, LoggedEvent>();
    const checkLines = async () => {
      const now = new Map((await events(running.http, 'cart.line')).map((e) => [e.seq, e]));
      for (const [seq, line] of seenLines) assert.deepEqual(now.get(seq), line, `cart line #${seq} changed or lost`);
      for (const [seq, line] of now) seenLines.set(seq, line);
    };
    /** Kills the server a few ms after `inFlight` was sent, while it is being journalled and acknowledged. */
    const crash = async (inFlight: Promise<unknown>) => {
      void inFlight;
      await sleep(rng.uniform(0, 12));
      await running.kill();
      running.start();
    };

    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${running.mqttPort}`, {
      clientId: 'runtime-kill-publisher',
      reconnectPeriod: 100,
      connectTimeout: 30_000,
    });
    publisher = device;
    try {
      let kills = 0;
      for (let i = 0; i < messages.length; i += WINDOW) {
        const window = messages.slice(i, i + WINDOW);
        const killNow = kills < killAt.length && i + WINDOW > killAt[kills]!;
        if (killNow) await checkLines();
        const acked = Promise.all(window.map((m) => device.publishAsync(m.topic, m.payload, { qos: 1 })));
        if (killNow) {
          debug('kill at', i, 'of', messages.length);
          kills += 1;
          await crash(acked);
        }
        await withTimeout(acked, 30_000, () => `acks for messages ${i}…${i + WINDOW}; server: ${running.stderr}`);
        if (i % 3000 === 0) debug('published', i);
      }
      assert.equal(kills, 2);
      await running.ready();
      await checkLines();
      // The second restart replayed the journal; the resends of the killed windows were journalled again as duplicates.
      const afterKills = (await (await fetch(`${running.http}/api/journal`, asStaff)).json()) as { rows: number };
      debug('journal after the mid-stream kills', afterKills);
      assert.ok(afterKills.rows >= messages.length, 'every published message is in the journal');

      // Staff resolve every open review case (through the journal), then the server is killed once more.
      const quiet = await waitFor(async () => {
        const s = (await (await fetch(`${running.http}/api/snapshot`, asStaff)).json()) as { reviews: ReviewCase[] };
        const j = (await (await fetch(`${running.http}/api/journal`, asStaff)).json()) as { backlog: number };
        return j.backlog === 0 ? s : undefined;
      });
      await sleep(400); // the quiet tick releases the last held messages
      const open = ((await (await fetch(`${running.http}/api/snapshot`, asStaff)).json()) as { reviews: ReviewCase[] })
        .reviews;
      assert.ok(open.length > 0 || quiet.reviews.length === 0);
      const resolutions: Resolution[] = [];
      for (const c of open) {
        const res = await fetch(`${running.http}/api/staff/reviews/${encodeURIComponent(c.caseId)}/resolve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ alternative: 0 }),
        });
        assert.equal(res.status, 200, await res.clone().text());
        resolutions.push((await res.json()) as Resolution);
      }
      const receiptsBefore = await waitFor(async () => {
        const r = await events(running.http, 'receipt.final');
        return r.length > 0 ? r : undefined;
      });
      await sleep(200);
      await checkLines();
      await crash(Promise.resolve());
      await running.ready();
      await checkLines();

      const logged = await events(running.http);
      const receipts = logged.filter((e) => e.type === 'receipt.final');
      const visits = receipts.map((e) => (e.data as { visit: string }).visit);
      assert.equal(new Set(visits).size, visits.length, 'a visit has two final receipts');
      assert.ok(receipts.length >= receiptsBefore.length);
      const snapshot = (await (await fetch(`${running.http}/api/snapshot`, asStaff)).json()) as {
        reviews: ReviewCase[];
      };
      assert.deepEqual(snapshot.reviews, [], 'staff decisions were lost in the crash');

      const reference = uninterrupted(messages, resolutions);
      assert.ok(decisions(reference, 'receipt.final').length >= 3, 'the busy period should settle several receipts');
      for (const type of ['review.opened', 'cart.line', 'receipt.final', 'session.closed'] as const) {
        assert.deepEqual(
          decisions(logged, type),
          decisions(reference, type),
          `${type} differs from the uninterrupted run`,
        );
      }
      const journal = (await (await fetch(`${running.http}/api/journal`, asStaff)).json()) as {
        recovery: { calls: number };
      };
      assert.ok(journal.recovery.calls >= messages.length, 'the last start replayed the whole journal');
    } finally {
      await device.endAsync(true);
      publisher = null;
      await running.stop();
    }
  });
});
