/**
 * Entry QR codes and the gate's check: signature, expiry by event time, single use, standing and card.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { WalkoutError } from '../errors.ts';
import type { AccountStanding } from './accounts.ts';
import { createDemoAuthorizer } from './demo-authorizer.ts';
import { EntryCodes, entrySecret, signEntryCode, verifyEntryCode } from './entry-qr.ts';
import { createQrAuthorizer, withFallback } from './qr-authorizer.ts';

const SECRET = entrySecret('test-secret-that-is-long-enough-for-hmac!');
const T0 = 1_750_000_000_000;

/** Deterministic nonces so a failing run repeats. */
function seededRandom(): (n: number) => Buffer {
  let i = 0;
  return (n) => createHash('sha256').update(`nonce-${i++}`).digest().subarray(0, n);
}

const shopper: AccountStanding = { role: 'shopper', blocked: false, hasPaymentMethod: true, spendingLimit: null };

function setup(standings: Record<string, AccountStanding> = { ann: shopper }) {
  const codes = new EntryCodes({ secret: SECRET, ttlMs: 30_000, random: seededRandom() });
  const gate = createQrAuthorizer({ secret: SECRET, ttlMs: 30_000, standing: (a) => standings[a] });
  return { codes, gate };
}

describe('entry codes', () => {
  it('round-trip their claims and carry the party size', () => {
    const { codes } = setup();
    const issued = codes.issue('ann', 3, T0);
    assert.match(issued.code, /^wk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal(issued.expiresAt, T0 + 30_000);
    const back = verifyEntryCode(SECRET, issued.code);
    assert.ok(back.ok);
    assert.deepEqual(back.value, issued.claims);
    assert.equal(back.value.partySize, 3);
  });

  it('refuse a missing or short secret and an impossible party size', () => {
    assert.throws(() => entrySecret(undefined), WalkoutError);
    assert.throws(() => entrySecret('short'), WalkoutError);
    assert.throws(() => signEntryCode(SECRET, { account: 'a', partySize: 0, iat: T0, nonce: 'n' }), WalkoutError);
    assert.throws(() => signEntryCode(SECRET, { account: 'a', partySize: 11, iat: T0, nonce: 'n' }), WalkoutError);
  });
});

describe('QR authorizer', () => {
  it('admits a fresh code with its party size', () => {
    const { codes, gate } = setup();
    const { code } = codes.issue('ann', 2, T0);
    assert.deepEqual(gate.authorize(code, T0 + 1_000), { ok: true, account: 'ann', partySize: 2, staff: false });
  });

  it('refuses an expired code (by event time, not the wall clock)', () => {
    const { codes, gate } = setup();
    const { code } = codes.issue('ann', 1, T0);
    assert.equal(gate.authorize(code, T0 + 30_000).ok, true, 'valid up to and including the TTL');
    const late = codes.issue('ann', 1, T0 + 40_000);
    const verdict = gate.authorize(late.code, T0 + 70_001);
    assert.equal(!verdict.ok && verdict.code, 'QR_EXPIRED');
  });

  it('refuses a code used twice, and an older code of an account that already went in', () => {
    const { codes, gate } = setup();
    const older = codes.issue('ann', 1, T0);
    const newer = codes.issue('ann', 1, T0 + 5_000);
    assert.equal(gate.authorize(newer.code, T0 + 6_000).ok, true);
    const again = gate.authorize(newer.code, T0 + 7_000);
    assert.equal(!again.ok && again.code, 'QR_REPLAYED');
    const screenshot = gate.authorize(older.code, T0 + 8_000);
    assert.equal(!screenshot.ok && screenshot.code, 'QR_REPLAYED');
    const fresh = codes.issue('ann', 1, T0 + 9_000);
    assert.equal(gate.authorize(fresh.code, T0 + 9_500).ok, true, 'a newer code works for the next visit');
  });

  it('refuses forged, tampered and foreign codes', () => {
    const { codes, gate } = setup();
    const { code } = codes.issue('ann', 1, T0);
    const [v, body, sig] = code.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const biggerParty = Buffer.from(JSON.stringify({ ...claims, n: 9 })).toString('base64url');
    const otherKey = signEntryCode(entrySecret('another-store-secret-also-32-chars-long'), {
      account: 'ann',
      partySize: 1,
      iat: T0,
      nonce: 'zz',
    });
    for (const forged of [`${v}.${biggerParty}.${sig}`, otherKey, 'demo:ann:1', `${v}.${body}.`, `${code}x`, '']) {
      const verdict = gate.authorize(forged, T0 + 1_000);
      assert.equal(!verdict.ok && verdict.code, 'QR_INVALID', forged);
    }
    assert.equal(gate.authorize(code, T0 + 1_000).ok, true, 'the genuine code still works after the attempts');
  });

  it('refuses an account without a card, a blocked one, an unknown one; admits staff without a card', () => {
    const { codes, gate } = setup({
      ann: { ...shopper, hasPaymentMethod: false },
      bob: { ...shopper, blocked: true },
      sam: { role: 'staff', blocked: false, hasPaymentMethod: false, spendingLimit: null },
    });
    const noCard = gate.authorize(codes.issue('ann', 1, T0).code, T0);
    assert.equal(!noCard.ok && noCard.code, 'NO_PAYMENT_METHOD');
    const blocked = gate.authorize(codes.issue('bob', 1, T0).code, T0);
    assert.equal(!blocked.ok && blocked.code, 'ACCOUNT_BLOCKED');
    const unknown = gate.authorize(codes.issue('zed', 1, T0).code, T0);
    assert.equal(!unknown.ok && unknown.code, 'QR_INVALID');
    assert.deepEqual(gate.authorize(codes.issue('sam', 4, T0).code, T0), {
      ok: true,
      account: 'sam',
      partySize: 1,
      staff: true,
    });
  });

  it('refuses a code issued well ahead of the scan time', () => {
    const { codes, gate } = setup();
    const verdict = gate.authorize(codes.issue('ann', 1, T0 + 60_000).code, T0);
    assert.equal(!verdict.ok && verdict.code, 'QR_INVALID');
  });

  it('sends signed codes to the QR check and simulator codes to the fallback', () => {
    const { codes, gate } = setup();
    const both = withFallback(gate, createDemoAuthorizer());
    assert.deepEqual(both.authorize('demo:sim-1:2', T0), { ok: true, account: 'sim-1', partySize: 2, staff: false });
    assert.equal(both.authorize(codes.issue('ann', 1, T0).code, T0).ok, true);
    const forged = both.authorize('wk1.e30.AAAA', T0);
    assert.equal(!forged.ok && forged.code, 'QR_INVALID');
  });
});
