/**
 * `walkout serve` as an operator runs it: with `--no-sim` the banner says where the staff pages, the shopper app,
 * the receipt emails and MQTT are, nothing is simulated, only app codes open the gate, the QR secret is kept
 * private in the data dir, and SIGTERM ends the process cleanly. The banner with the simulator on, from its parts.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/server/config.ts';
import { banner } from '../src/server/serve-command.ts';
import type { StoreServerInfo } from '../src/server/store-server.ts';
import { collectOutput } from './helpers/child-output.ts';
import { STORE_DEF, waitFor } from './server-fixtures.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'serve-test-staff-token-0123';
const asStaff = { headers: { authorization: `Bearer ${TOKEN}` } };
const CHILD = fileURLToPath(new URL('./runtime-serve-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'walkout-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('walkout serve', () => {
  it('runs without the simulator and prints where everything is', { timeout: 30_000 }, async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, '--store', join(ROOT, 'examples/kiosk.yaml'), '--no-sim', '--port', '0'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          WALKOUT_DATA_DIR: dir,
          WALKOUT_MQTT_PORT: '0',
          WALKOUT_LOG_LEVEL: 'warn',
          WALKOUT_DEMO_CODES: 'off',
          WALKOUT_STAFF_TOKEN: TOKEN,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = collectOutput(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => /simulated/.test(output.out) || child.exitCode !== null, 25_000, 'the banner');
      assert.match(output.out, /simulated +off/, `${output.out}\n${output.err}`);
      const web = /staff +(http:\/\/127\.0\.0\.1:\d+)\/staff\/live/.exec(output.out)?.[1];
      assert.ok(web, output.out);
      for (const page of ['review', 'carts', 'ops']) assert.ok(output.out.includes(`${web}/staff/${page}`), page);
      assert.ok(output.out.includes(`shoppers   ${web}/app/`), output.out);
      assert.ok(output.out.includes(`emails     ${join(dir, 'outbox')}/`), output.out);
      assert.match(output.out, /gate +app QR codes only/);
      assert.match(output.out, /mqtt +mqtt:\/\/127\.0\.0\.1:\d+ /);
      assert.match(output.out, /token +serve-test-staff-token-0123\n/);
      assert.equal(statSync(join(dir, 'secrets.json')).mode & 0o777, 0o600);
      assert.equal((await fetch(`${web}/app/`)).status, 200);
      // Nothing simulated: no device has said anything a second later.
      await new Promise((r) => setTimeout(r, 1_000));
      const devices = (await (await fetch(`${web}/api/devices`, asStaff)).json()) as {
        devices: { messages: number }[];
      };
      assert.ok(devices.devices.length > 0);
      assert.equal(
        devices.devices.reduce((sum, d) => sum + d.messages, 0),
        0,
      );
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.err.slice(-2000));
  });

  it('tells a newcomer the simulator is on and where the emails go', () => {
    const config = loadConfig({ env: {} });
    assert.ok(config.ok);
    const info: StoreServerInfo = {
      httpUrl: 'http://127.0.0.1:8080',
      mqttUrl: 'mqtt://127.0.0.1:1883',
      db: 'sqlite data/events.sqlite',
      staffToken: config.value.staffToken,
      recovery: { calls: 0, matched: 0, appended: 0, engineErrors: 0, seconds: 0 },
      shopper: {
        appUrl: 'http://127.0.0.1:8080/app/',
        mail: 'data/outbox/ (one .eml file per receipt; set shopper.smtp to send)',
        outbox: 'data/outbox',
        payments: 'test',
        qrSecret: 'generated',
        demoCodes: true,
        catchUp: { read: 0, added: 0, refunds: 0, releases: 0, from: 0, to: 0 },
      },
    };
    const text = banner(STORE_DEF, config.value, info);
    assert.match(text, /simulated +120 shoppers\/hour, the first within seconds/);
    assert.match(text, /token +\S+ +\(generated for this run/);
    assert.match(text, /emails +data\/outbox\//);
    assert.match(text, /gate +app QR codes, and the simulator's demo codes/);
    assert.doesNotMatch(text, /recovered/);
  });
});
