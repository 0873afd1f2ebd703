/**
 * The shopper journey inside a real store server (embedded broker, SQLite, signed codes only): the shopper app and
 * the ops dashboard are served; an account signed up over the app API gets an entry code that opens the gate when
 * scanned over MQTT, is charged once at exit and gets its receipt as an .eml file in the outbox; staff see and
 * decide disputes over the staff API. Then a restart after the shopper removed their card: recovery keeps the
 * admission the log holds, and the final receipt it re-makes reaches checkout (declined, mailed).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import type { LoggedEvent } from '../src/engine/events.ts';
import { gateCommandTopic } from '../src/protocol/topics.ts';
import { STORE_ID, waitFor } from './server-fixtures.ts';
import { asStaff, deviceClient, startServerIn } from './server-harness.ts';

const TOKEN = 'test-staff-token-0123456789';
const staff = { authorization: `Bearer ${TOKEN}` };

type Wire = { topic: string; payload: Record<string, unknown> };
const topic = (kind: string, id: string, message: string) => `walkout/${STORE_ID}/${kind}/${id}/${message}`;

/**
 * These tests publish a visit's 16 s of device time at once, from the wall clock's now: device time runs ahead of the
 * server's, which the edge's clock gate would take for fast device clocks. Off here; test/server-devices.test.ts
 * tests it.
 */
const FAST_FORWARD = { ingest: { maxLeadMs: 0 } };

/** A short visit: scan at +1 s, in at +2 s, one water from p2 at +6 s, out at +10 s, quiet plates until +16 s. */
function quickVisit(start: number, code: string): Wire[] {
  const pickAt = start + 6_000;
  const grams = (plate: 'p1' | 'p2', t: number) => (plate === 'p2' ? (t >= pickAt ? 4680 : 5200) : 3550);
  const out: [number, Wire][] = [];
  const batch = (plate: 'p1' | 'p2', t: number, hz: number, n: number) =>
    out.push([
      t,
      {
        topic: topic('plates', plate, 'weight'),
        payload: { v: 1, ts: t, hz, grams: Array.from({ length: n }, (_, i) => grams(plate, t + (i * 1000) / hz)) },
      },
    ]);
  for (let t = start; t <= start + 16_000; t += 1000) batch('p1', t, 1, 1);
  for (let t = start; t < pickAt - 500; t += 1000) batch('p2', t, 1, 1);
  for (let t = pickAt - 500; t < pickAt + 2_500; t += 200) batch('p2', t, 60, 12);
  for (let t = pickAt + 2_500; t <= start + 16_000; t += 1000) batch('p2', t, 1, 1);
  const gate = (t: number, kind: string, body: object) =>
    out.push([t, { topic: topic('gates', 'door', kind), payload: { v: 1, ts: t, ...body } }]);
  gate(start + 1_000, 'scan', { code });
  gate(start + 2_000, 'pass', { direction: 'in' });
  gate(start + 10_000, 'pass', { direction: 'out' });
  return out.sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}

/** An app shopper: signed up, with a card, and a fresh entry code. */
async function shopper(http: string, email: string, card: string) {
  const signup = await fetch(`${http}/api/app/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'long-password-1' }),
  });
  assert.equal(signup.status, 201, await signup.clone().text());
  const cookie = String(signup.headers.get('set-cookie')).split(';')[0]!;
  const json = { 'content-type': 'application/json', cookie };
  const put = await fetch(`${http}/api/app/card`, {
    method: 'PUT',
    headers: json,
    body: JSON.stringify({ token: card }),
  });
  assert.equal(put.status, 200, await put.clone().text());
  const issued = await fetch(`${http}/api/app/entry-code`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ partySize: 1 }),
  });
  const entry = (await issued.json()) as { code: string; issuedAt: number; ready: boolean };
  assert.match(entry.code, /^wk1\./);
  assert.equal(entry.ready, true);
  return { cookie, json, entry };
}

async function publish(device: MqttClient, messages: Wire[]): Promise<void> {
  for (const m of messages) await device.publishAsync(m.topic, JSON.stringify(m.payload), { qos: 1 });
}

async function events(http: string, types: string): Promise<LoggedEvent[]> {
  return (
    (await (await fetch(`${http}/api/events?types=${types}&limit=10000`, asStaff)).json()) as { events: LoggedEvent[] }
  ).events;
}

/** The text part of an .eml file, quoted-printable decoded. */
function emailText(path: string): { to: string; text: string } {
  const raw = readFileSync(path, 'utf8');
  const to = /^To: (.+)$/m.exec(raw)?.[1] ?? '';
  const part = /Content-Type: text\/plain[^\n]*\n(?:[^\n]+\n)*\n([\s\S]*?)\n--/.exec(raw)?.[1] ?? '';
  const bytes = part.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => `%${h}`);
  return { to, text: decodeURIComponent(bytes) };
}

function outbox(dir: string): string[] {
  const folder = join(dir, 'outbox');
  return existsSync(folder) ? readdirSync(folder).map((f) => join(folder, f)) : [];
}

describe('store server with the shopper journey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-shopper-'));
  let running: Awaited<ReturnType<typeof startServerIn>>;
  let device: MqttClient;
  let http = '';
  const commands: { topic: string; payload: { action: string; admit: number; reason: string } }[] = [];
  let visit = '';
  let ann: Awaited<ReturnType<typeof shopper>>;

  before(async () => {
    running = await startServerIn(dir, { ...FAST_FORWARD, shopper: { demoCodes: false, autoRefundLimit: 0 } });
    http = running.info.httpUrl;
    device = await deviceClient(running.info.mqttUrl);
    device.on('message', (t, payload) => commands.push({ topic: t, payload: JSON.parse(payload.toString()) }));
    await device.subscribeAsync(gateCommandTopic(STORE_ID, '+'), { qos: 1 });
  });
  after(async () => {
    await device?.endAsync();
    await running?.server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the shopper app, and the ops dashboard to staff only', async () => {
    const app = await fetch(`${http}/app/`);
    assert.equal(app.status, 200);
    assert.match(app.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await app.text(), /<html/i);
    const anonymous = await fetch(`${http}/staff/ops`, { redirect: 'manual' });
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.headers.get('location') ?? '', /^\/staff\/login/);
    const ops = await fetch(`${http}/staff/ops`, { headers: staff });
    assert.equal(ops.status, 200);
    assert.match(await ops.text(), /<html/i);
    assert.deepEqual(running.info.shopper.payments, 'test');
    assert.equal(running.info.shopper.qrSecret, 'generated');
    assert.equal(running.info.shopper.outbox, join(dir, 'outbox'));
  });

  it('opens the gate for an app QR code scanned over MQTT, charges once and writes the receipt email', async () => {
    ann = await shopper(http, 'ann@example.test', 'tok_visa');
    const start = ann.entry.issuedAt - 500;
    // A demo code is refused: this store takes signed codes only.
    const demo = { topic: topic('gates', 'door', 'scan'), payload: { v: 1, ts: start + 500, code: 'demo:mallory:1' } };
    // What the ops dashboard publishes on the same broker is not device input.
    const alert = { topic: `walkout/${STORE_ID}/alerts/sensor-silent:p1:1`, payload: { v: 1, ts: start } };
    await publish(device, [alert, demo, ...quickVisit(start, ann.entry.code)]);
    const open = await waitFor(() => commands.find((c) => c.payload.action === 'open'), 5_000, 'the gate to open');
    assert.equal(open.topic, gateCommandTopic(STORE_ID, 'door'));
    assert.deepEqual([open.payload.admit, open.payload.reason], [1, 'OK']);
    assert.deepEqual(
      commands.filter((c) => c.payload.action === 'deny').map((c) => c.payload.reason),
      ['QR_INVALID'],
    );

    const [file] = await waitFor(() => (outbox(dir).length > 0 ? outbox(dir) : undefined), 10_000, 'the receipt');
    const email = emailText(file!);
    assert.equal(email.to, 'ann@example.test');
    assert.match(email.text, /1 × Water 500 ml @ €1\.00 {2}€1\.00/);
    assert.match(email.text, /Charged to your card: €1\.00/);
    assert.match(email.text, new RegExp(`${http.replace(/[.:/]/g, '\\$&')}/app/#receipt/`));

    const list = (await (await fetch(`${http}/api/app/receipts`, { headers: { cookie: ann.cookie } })).json()) as {
      receipts: { visit: string; total: number }[];
    };
    assert.deepEqual(
      list.receipts.map((r) => r.total),
      [100],
    );
    visit = list.receipts[0]!.visit;
    const one = (await (
      await fetch(`${http}/api/app/receipts/${encodeURIComponent(visit)}`, { headers: { cookie: ann.cookie } })
    ).json()) as { payment: { status: string; captured: number } };
    assert.deepEqual(one.payment, { status: 'captured', captured: 100, refunded: 0 });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.match(metrics, /^walkout_receipt_email_seconds_count 1$/m);
    assert.match(metrics, /^walkout_messages_rejected_total\{code="BAD_TOPIC"\} 0$/m);
  });

  it('lets staff list a dispute and refund it over the staff API', async () => {
    assert.ok(visit, 'needs the visit of the previous test');
    const opened = await fetch(`${http}/api/app/receipts/${encodeURIComponent(visit)}/disputes`, {
      method: 'POST',
      headers: ann.json,
      body: JSON.stringify({ sku: 'water', qty: 1, reason: 'I put it back' }),
    });
    assert.equal(opened.status, 201, await opened.clone().text());
    const dispute = ((await opened.json()) as { dispute: { disputeId: string; status: string } }).dispute;
    assert.equal(dispute.status, 'review');

    assert.equal((await fetch(`${http}/api/staff/disputes`)).status, 401);
    const list = (await (await fetch(`${http}/api/staff/disputes`, { headers: staff })).json()) as {
      disputes: { disputeId: string; name: string; email: string; amount: number }[];
    };
    assert.deepEqual(
      list.disputes.map((d) => [d.disputeId, d.name, d.email, d.amount]),
      [[dispute.disputeId, 'Water 500 ml', 'ann@example.test', 100]],
    );
    const decide = (id: string, body: unknown) =>
      fetch(`${http}/api/staff/disputes/${encodeURIComponent(id)}/decide`, {
        method: 'POST',
        headers: { ...staff, 'content-type': 'application/json', cookie: 'walkout_staff_name=Sam' },
        body: JSON.stringify(body),
      });
    assert.equal((await decide(dispute.disputeId, { approve: 'yes' })).status, 400);
    assert.equal((await decide('nope', { approve: true })).status, 404);
    const approved = await decide(dispute.disputeId, { approve: true });
    assert.equal(approved.status, 200);
    const decided = ((await approved.json()) as { dispute: { status: string; decidedBy: string } }).dispute;
    assert.deepEqual([decided.status, decided.decidedBy], ['refunded', 'Sam']);
    assert.equal((await decide(dispute.disputeId, { approve: true })).status, 409);
    const payment = await running.server.shopper?.journey.ledger.payment(visit);
    assert.deepEqual([payment?.captured, payment?.refunded], [100, 100]);
  });
});

describe('store server restart with the shopper journey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walkout-shopper-restart-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('replays an admission whose card is gone since, and checks out the receipt recovery re-made', async () => {
    const first = await startServerIn(dir, { ...FAST_FORWARD, shopper: { demoCodes: false } });
    const http = first.info.httpUrl;
    let cutAfter = 0;
    try {
      const bea = await shopper(http, 'bea@example.test', 'tok_visa');
      // As if the process died before checkout saw this visit's end.
      first.server.shopper?.journey.exitFlow.stop();
      const device = await deviceClient(first.info.mqttUrl);
      await publish(device, quickVisit(bea.entry.issuedAt - 500, bea.entry.code));
      await device.endAsync();
      await waitFor(async () => (await events(http, 'receipt.final')).length === 1, 5_000, 'the receipt');
      const removed = await fetch(`${http}/api/app/card`, { method: 'DELETE', headers: { cookie: bea.cookie } });
      assert.equal(removed.status, 200);
      const opened = (await events(http, 'gate.command')).find((e) => e.type === 'gate.command');
      assert.equal(opened?.type === 'gate.command' && opened.data.action, 'open');
      cutAfter = opened!.seq;
    } finally {
      await first.server.stop();
    }
    // Everything decided after the gate opened never reached the log; the input journal has it all.
    const db = new Database(join(dir, 'events.sqlite'));
    const cut = db.prepare('DELETE FROM event_log WHERE seq > ?').run(cutAfter).changes;
    db.close();
    assert.ok(cut > 0);

    const second = await startServerIn(dir, { ...FAST_FORWARD, shopper: { demoCodes: false } });
    try {
      assert.equal(second.info.recovery.matched, cutAfter);
      assert.ok(second.info.recovery.appended >= cut, JSON.stringify(second.info.recovery));
      assert.equal(second.info.shopper.qrSecret, 'file');
      assert.equal(second.info.shopper.catchUp.added, 1);
      const [file] = await waitFor(() => (outbox(dir).length > 0 ? outbox(dir) : undefined), 10_000, 'the email');
      const email = emailText(file!);
      assert.equal(email.to, 'bea@example.test');
      assert.match(email.text, /card was declined/);
      const declined = (await (
        await fetch(`${second.info.httpUrl}/api/staff/disputes`, { headers: staff })
      ).json()) as {
        declined: { amount: number; reason: string }[];
      };
      assert.deepEqual(
        declined.declined.map((d) => [d.amount, d.reason]),
        [[100, 'no card on the account']],
      );
    } finally {
      await second.server.stop();
    }
  });
});
