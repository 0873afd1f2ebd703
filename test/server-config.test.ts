/**
 * Server configuration: defaults, file < environment < command line, every bad key reported at once, a generated
 * staff token when none is given, and a frozen result.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../src/server/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'walkout-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('has working defaults and generates a staff token', () => {
    const a = loadConfig({ env: {} });
    const b = loadConfig({ env: {} });
    assert.ok(a.ok && b.ok);
    assert.equal(a.value.http.host, '127.0.0.1');
    assert.equal(a.value.http.port, 8080);
    assert.equal(a.value.mqtt.broker, 'embedded');
    assert.equal(a.value.mqtt.port, 1883);
    assert.equal(a.value.db, 'sqlite');
    assert.equal(a.value.dataDir, './data');
    assert.equal(a.value.sim.enabled, true);
    assert.equal(a.value.staffTokenGenerated, true);
    assert.ok(a.value.staffToken.length >= 20);
    assert.notEqual(a.value.staffToken, b.value.staffToken);
  });

  it('layers file, then environment, then overrides', () => {
    const path = file('layers.yaml', 'http:\n  port: 9000\n  host: 0.0.0.0\ndb: memory\nsim:\n  shoppersPerHour: 10\n');
    const env = { WALKOUT_HTTP_PORT: '9100', WALKOUT_SIM: 'off', WALKOUT_STAFF_TOKEN: 'a-long-enough-staff-token' };
    const c = loadConfig({ file: path, env, overrides: { http: { port: 9200 }, db: undefined } });
    assert.ok(c.ok, c.ok ? '' : c.reason);
    assert.equal(c.value.http.port, 9200);
    assert.equal(c.value.http.host, '0.0.0.0');
    assert.equal(c.value.db, 'memory');
    assert.equal(c.value.sim.enabled, false);
    assert.equal(c.value.sim.shoppersPerHour, 10);
    assert.equal(c.value.staffToken, 'a-long-enough-staff-token');
    assert.equal(c.value.staffTokenGenerated, false);
  });

  it('reads JSON files too', () => {
    const c = loadConfig({ file: file('c.json', '{"mqtt": {"broker": "mqtt://broker.local:1883"}}'), env: {} });
    assert.ok(c.ok);
    assert.equal(c.value.mqtt.broker, 'mqtt://broker.local:1883');
  });

  it('reports every bad key together', () => {
    const path = file('bad.yaml', 'htp:\n  port: 1\nhttp:\n  port: 70000\ndb: mysql://x\nlogLevel: loud\n');
    const c = loadConfig({ file: path, env: { WALKOUT_MQTT: 'tcp://nope' } });
    assert.equal(c.ok, false);
    if (c.ok) return;
    assert.equal(c.code, 'CONFIG_INVALID');
    const lines = c.reason.split('\n');
    assert.ok(
      lines.some((l) => l.includes('htp')),
      c.reason,
    );
    assert.ok(
      lines.some((l) => l.startsWith('http.port')),
      c.reason,
    );
    assert.ok(
      lines.some((l) => l.startsWith('db:')),
      c.reason,
    );
    assert.ok(
      lines.some((l) => l.startsWith('logLevel')),
      c.reason,
    );
    assert.ok(
      lines.some((l) => l.startsWith('mqtt.broker')),
      c.reason,
    );
  });

  it('rejects a short staff token and an unreadable file', () => {
    const short = loadConfig({ env: { WALKOUT_STAFF_TOKEN: 'abc' } });
    assert.ok(!short.ok && /staffToken/.test(short.reason));
    const missing = loadConfig({ file: join(dir, 'nope.yaml'), env: {} });
    assert.ok(!missing.ok && /nope\.yaml/.test(missing.reason));
  });

  it('is frozen all the way down', () => {
    const c = loadConfig({ env: {} });
    assert.ok(c.ok);
    assert.ok(Object.isFrozen(c.value) && Object.isFrozen(c.value.http) && Object.isFrozen(c.value.sim));
    assert.throws(() => {
      (c.value.http as { port: number }).port = 1;
    }, TypeError);
  });

  it('has shopper defaults: test payments, demo codes only with the simulator', () => {
    const c = loadConfig({ env: {} });
    assert.ok(c.ok);
    assert.equal(c.value.sim.shoppersPerHour, 120);
    const s = c.value.shopper;
    assert.deepEqual(
      [s.payments, s.autoRefundLimit, s.defaultHold, s.taxRate, s.demoCodes, s.qrSecret, s.smtp],
      ['test', 500, 5000, null, true, undefined, undefined],
    );
    const noSim = loadConfig({ env: { WALKOUT_SIM: 'off' } });
    assert.ok(noSim.ok && noSim.value.shopper.demoCodes === false);
    const asked = loadConfig({ env: { WALKOUT_SIM: 'off', WALKOUT_DEMO_CODES: 'on' } });
    assert.ok(asked.ok && asked.value.shopper.demoCodes === true);
  });

  it('reads the shopper keys from a file and the environment', () => {
    const path = file(
      'shopper.yaml',
      'shopper:\n  smtp: { host: mail.local, from: receipts@shop.example }\n  taxRate: 0.2\n  timeZone: Europe/Paris\n',
    );
    const env = {
      WALKOUT_QR_SECRET: 'q'.repeat(32),
      WALKOUT_SMTP_PORT: '2525',
      WALKOUT_SMTP_USER: 'walkout',
      WALKOUT_SMTP_PASS: 'secret',
      WALKOUT_PAYMENTS: 'stripe',
      WALKOUT_STRIPE_KEY: 'sk_test_abc123',
      WALKOUT_STRIPE_API_BASE: 'http://127.0.0.1:12111',
      WALKOUT_APP_URL: 'https://shop.example/app/',
      WALKOUT_AUTO_REFUND_LIMIT: '300',
      WALKOUT_DEFAULT_HOLD: 'none',
    };
    const c = loadConfig({ file: path, env });
    assert.ok(c.ok, c.ok ? '' : c.reason);
    const s = c.value.shopper;
    assert.deepEqual(s.smtp, {
      host: 'mail.local',
      port: 2525,
      from: 'receipts@shop.example',
      user: 'walkout',
      pass: 'secret',
    });
    assert.deepEqual(
      [s.qrSecret, s.payments, s.stripeKey, s.stripeApiBase, s.appUrl, s.autoRefundLimit, s.defaultHold, s.taxRate],
      [
        'q'.repeat(32),
        'stripe',
        'sk_test_abc123',
        'http://127.0.0.1:12111',
        'https://shop.example/app/',
        300,
        null,
        0.2,
      ],
    );
    assert.equal(s.timeZone, 'Europe/Paris');
    assert.ok(Object.isFrozen(s) && Object.isFrozen(s.smtp));
  });

  it('reports every bad shopper key together', () => {
    const path = file(
      'bad-shopper.yaml',
      [
        'shopper:',
        '  qrSecret: too-short',
        '  smtp: { port: 70000, from: not-an-address, user: only-user }',
        '  payments: stripe',
        '  appUrl: shop.example/app',
        '  autoRefundLimit: -1',
        '  taxRate: 2',
        '  timeZone: Mars/Olympus',
        '  colour: blue',
        '',
      ].join('\n'),
    );
    const c = loadConfig({ file: path, env: { WALKOUT_DEFAULT_HOLD: 'lots' } });
    assert.ok(!c.ok);
    const lines = c.reason.split('\n');
    for (const key of [
      'shopper.qrSecret',
      'shopper.smtp.host',
      'shopper.smtp.port',
      'shopper.smtp.from',
      'shopper.appUrl',
      'shopper.autoRefundLimit',
      'shopper.defaultHold',
      'shopper.taxRate',
      'shopper.timeZone',
      'shopper.stripeKey',
      'shopper: Unrecognized key',
    ]) {
      assert.ok(
        lines.some((l) => l.startsWith(key)),
        `${key} not reported in:\n${c.reason}`,
      );
    }
    assert.ok(/colour/.test(c.reason), c.reason);
    const stripe = loadConfig({ env: { WALKOUT_PAYMENTS: 'stripe' } });
    assert.ok(
      !stripe.ok && /^shopper\.stripeKey: required when payments is stripe$/m.test(stripe.reason),
      stripe.ok ? '' : stripe.reason,
    );
    const pair = loadConfig({ env: { WALKOUT_SMTP_HOST: 'mail', WALKOUT_SMTP_FROM: 'a@b.c', WALKOUT_SMTP_USER: 'u' } });
    assert.ok(
      !pair.ok && /^shopper\.smtp\.user: user and pass go together$/m.test(pair.reason),
      pair.ok ? '' : pair.reason,
    );
  });
});
