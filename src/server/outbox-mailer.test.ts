/**
 * The outbox mailer writes each email as a private .eml file (headers, text and HTML parts) and says where.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createOutboxMailer } from './outbox-mailer.ts';

const root = mkdtempSync(join(tmpdir(), 'walkout-outbox-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('outbox mailer', () => {
  it('writes one private .eml per email, named by time and recipient', async () => {
    const dir = join(root, 'outbox');
    const logged: object[] = [];
    const mailer = createOutboxMailer({
      dir,
      from: '"Shop" <receipts@shop.test>',
      clock: () => Date.UTC(2026, 0, 5, 8, 30),
      log: { info: (details) => logged.push(details) },
    });
    await mailer.send({
      to: 'ann@example.test',
      subject: 'Your receipt: €1.00',
      text: 'Total: €1.00',
      html: '<p>€1</p>',
    });
    await mailer.send({ to: 'bob@example.test', subject: 'Second', text: 'b', html: '<p>b</p>' });
    mailer.close();
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, [
      '2026-01-05T08-30-00-000Z-0001-ann@example.test.eml',
      '2026-01-05T08-30-00-000Z-0002-bob@example.test.eml',
    ]);
    assert.deepEqual(
      mailer.written(),
      files.map((f) => join(dir, f)),
    );
    assert.equal(logged.length, 2);
    const path = join(dir, files[0]!);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const eml = readFileSync(path, 'utf8');
    assert.match(eml, /^To: ann@example\.test$/m);
    assert.match(eml, /^From: "?Shop"? <receipts@shop\.test>$/m);
    assert.match(eml, /^Subject: .+$/m);
    assert.match(eml, /multipart\/alternative/);
    assert.match(eml, /Content-Type: text\/html/);
  });
});
