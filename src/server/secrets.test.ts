/**
 * The entry QR secret: configuration wins; otherwise one is generated into <dataDir>/secrets.json (0600) and read
 * back on the next start, so codes survive restarts; a damaged file stops the start instead of being replaced.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveQrSecret, SECRETS_FILE } from './secrets.ts';

const root = mkdtempSync(join(tmpdir(), 'walkout-secrets-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('resolveQrSecret', () => {
  it('generates a private secret once per data dir and keeps it', () => {
    const dir = join(root, 'a');
    const first = resolveQrSecret(undefined, dir);
    assert.equal(first.source, 'generated');
    assert.ok(first.secret.length >= 32);
    const path = join(dir, SECRETS_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).qrSecret, first.secret);
    const again = resolveQrSecret(undefined, dir);
    assert.deepEqual([again.source, again.secret], ['file', first.secret]);
    assert.notEqual(resolveQrSecret(undefined, join(root, 'b')).secret, first.secret);
  });

  it('prefers the configured secret, tightens a loose file and refuses a damaged one', () => {
    const configured = 'c'.repeat(40);
    assert.deepEqual(resolveQrSecret(configured, join(root, 'c')), {
      secret: configured,
      source: 'config',
      path: null,
    });
    const dir = join(root, 'd');
    resolveQrSecret(undefined, dir);
    const path = join(dir, SECRETS_FILE);
    chmodSync(path, 0o644);
    resolveQrSecret(undefined, dir);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    writeFileSync(path, '{"qrSecret": "short"}');
    assert.throws(() => resolveQrSecret(undefined, dir), /shorter than 32/);
    writeFileSync(path, 'not json');
    assert.throws(() => resolveQrSecret(undefined, dir), /SECRETS_UNREADABLE|JSON/);
  });
});
