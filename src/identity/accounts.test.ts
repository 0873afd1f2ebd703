/**
 * Accounts service: sign-up, sign-in, tokens stored hashed and surviving a restart, sign-out, expiry, the card as
 * a provider token only, and the standing cache the gate reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AccountsService } from './accounts.ts';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from './accounts-password.ts';
import { SqliteAccountStore } from './accounts-sqlite.ts';
import { MemoryAccountStore } from './accounts-store.ts';

const CHEAP = { N: 2 ** 10, r: 8, p: 1 };
const dir = mkdtempSync(join(tmpdir(), 'walkout-accounts-svc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('password hashing', () => {
  it('uses scrypt with N ≥ 2^15 by default and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse');
    const [, N] = hash.split('$');
    assert.ok(Number(N) >= 2 ** 15);
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct hors', hash), false);
    assert.equal(await verifyPassword('x', 'md5$abc'), false);
    assert.notEqual(hash, await hashPassword('correct horse'), 'salted');
    assert.deepEqual(DEFAULT_SCRYPT, { N: 32768, r: 8, p: 1 });
  });
});

describe('AccountsService', () => {
  it('signs up, signs in, authenticates and signs out', async () => {
    const accounts = await AccountsService.open({ store: new MemoryAccountStore(), scrypt: CHEAP });
    const up = await accounts.signUp(' Ann@Example.test ', 'password-1');
    assert.ok(up.ok);
    assert.equal(up.value.account.email, 'ann@example.test');
    assert.equal(up.value.account.role, 'shopper');
    assert.equal((await accounts.authenticate(up.value.token))?.id, up.value.account.id);

    assert.deepEqual((await accounts.signUp('ann@example.test', 'password-2')).ok, false);
    assert.equal((await accounts.signIn('ann@example.test', 'wrong-password')).ok, false);
    assert.equal((await accounts.signIn('nobody@example.test', 'password-1')).ok, false);
    const signIn = await accounts.signIn('ANN@example.test', 'password-1');
    assert.ok(signIn.ok);
    assert.notEqual(signIn.value.token, up.value.token);

    await accounts.signOut(signIn.value.token);
    assert.equal(await accounts.authenticate(signIn.value.token), null);
    assert.notEqual(await accounts.authenticate(up.value.token), null, 'other devices stay signed in');
    assert.equal(await accounts.authenticate('made-up'), null);
  });

  it('refuses bad emails and short passwords', async () => {
    const accounts = await AccountsService.open({ store: new MemoryAccountStore(), scrypt: CHEAP });
    const bad = await accounts.signUp('not-an-email', 'password-1');
    assert.equal(!bad.ok && bad.code, 'BAD_EMAIL');
    const weak = await accounts.signUp('a@b.test', 'short');
    assert.equal(!weak.ok && weak.code, 'WEAK_PASSWORD');
  });

  it('expires sign-ins after their lifetime', async () => {
    let now = 1_000;
    const accounts = await AccountsService.open({
      store: new MemoryAccountStore(),
      scrypt: CHEAP,
      clock: () => now,
      signInTtlMs: 60_000,
    });
    const up = await accounts.signUp('b@example.test', 'password-1');
    assert.ok(up.ok);
    now += 59_999;
    assert.notEqual(await accounts.authenticate(up.value.token), null);
    now += 1;
    assert.equal(await accounts.authenticate(up.value.token), null);
  });

  it('keeps the token hashed in the store, and sign-ins and standing survive a restart', async () => {
    const file = join(dir, 'restart.db');
    const first = new SqliteAccountStore(file);
    const a1 = await AccountsService.open({ store: first, scrypt: CHEAP });
    const up = await a1.signUp('c@example.test', 'password-1');
    assert.ok(up.ok);
    await a1.setPaymentMethod(up.value.account.id, 'tok_visa', 'Visa test');
    await a1.setBlocked(up.value.account.id, true);
    const raw = JSON.stringify(await first.signInByHash(up.value.token));
    assert.equal(raw, 'null', 'the raw token is not a key in the store');
    await first.close();

    const a2 = await AccountsService.open({ store: new SqliteAccountStore(file), scrypt: CHEAP });
    assert.equal((await a2.authenticate(up.value.token))?.email, 'c@example.test');
    assert.deepEqual(a2.standing(up.value.account.id), {
      role: 'shopper',
      blocked: true,
      hasPaymentMethod: true,
      spendingLimit: null,
    });
    assert.equal(a2.paymentTokenOf(up.value.account.id), 'tok_visa');
  });

  it('stores a provider token, never a card number, and keeps the standing cache fresh', async () => {
    const accounts = await AccountsService.open({ store: new MemoryAccountStore(), scrypt: CHEAP });
    const up = await accounts.signUp('d@example.test', 'password-1');
    assert.ok(up.ok);
    const id = up.value.account.id;
    assert.equal(accounts.standing(id)?.hasPaymentMethod, false);
    const card = await accounts.setPaymentMethod(id, '4242424242424242', 'Visa');
    assert.equal(!card.ok && card.code, 'BAD_TOKEN');
    const sneaky = await accounts.setPaymentMethod(id, 'tok_4242424242424242', 'Visa');
    assert.equal(sneaky.ok, false);
    const set = await accounts.setPaymentMethod(id, 'tok_visa', 'Visa test card');
    assert.ok(set.ok);
    assert.deepEqual(set.value.paymentMethod, { label: 'Visa test card' });
    assert.equal(accounts.standing(id)?.hasPaymentMethod, true);
    await accounts.setSpendingLimit(id, 2500);
    assert.equal(accounts.standing(id)?.spendingLimit, 2500);
    await accounts.removePaymentMethod(id);
    assert.equal(accounts.standing(id)?.hasPaymentMethod, false);
    assert.equal(accounts.paymentTokenOf(id), null);
    await accounts.setRole(id, 'staff');
    assert.equal(accounts.standing(id)?.role, 'staff');
    assert.equal(accounts.standing('acc_nobody'), undefined);
  });
});
