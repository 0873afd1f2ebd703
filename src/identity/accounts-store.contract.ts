/**
 * The contract every AccountStore back end keeps, as a node:test suite: unique emails, exact round trips, patches
 * that change only what they name, sign-ins found by hash, expiry sweeps, and (for durable back ends) everything
 * still there after closing and reopening. Run it with `accountStoreContract(name, harness)`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountRecord, AccountStore } from './accounts-store.ts';

export interface AccountStoreHarness {
  open(): Promise<AccountStore>;
  /** Opens the store `open()` last created again, after it was closed; absent for non-durable back ends. */
  reopen?: () => Promise<AccountStore>;
}

const T0 = 1_750_000_000_000;

const account = (i: number, extra: Partial<AccountRecord> = {}): AccountRecord => ({
  id: `acc_${i}`,
  email: `shopper${i}@example.test`,
  passwordHash: `scrypt$32768$8$1$salt${i}$hash${i}`,
  role: 'shopper',
  paymentToken: null,
  paymentLabel: null,
  spendingLimit: null,
  blocked: false,
  created: T0 + i,
  ...extra,
});

async function withStore(harness: AccountStoreHarness, body: (s: AccountStore) => Promise<void>): Promise<void> {
  const store = await harness.open();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

export function accountStoreContract(name: string, harness: AccountStoreHarness): void {
  describe(`AccountStore contract: ${name}`, () => {
    it('round-trips an account by id and by email', () =>
      withStore(harness, async (s) => {
        const a = account(1, { paymentToken: 'tok_visa', paymentLabel: 'Visa ‘test’ ñ', spendingLimit: 5000 });
        assert.deepEqual(await s.insertAccount(a), { ok: true });
        assert.deepEqual(await s.accountById('acc_1'), a);
        assert.deepEqual(await s.accountByEmail(a.email), a);
        assert.equal(await s.accountById('acc_2'), null);
        assert.equal(await s.accountByEmail('nobody@example.test'), null);
      }));

    it('refuses a second account with the same email', () =>
      withStore(harness, async (s) => {
        await s.insertAccount(account(1));
        const again = await s.insertAccount(account(2, { email: 'shopper1@example.test' }));
        assert.deepEqual(again, { ok: false, code: 'EMAIL_TAKEN' });
        assert.equal((await s.allAccounts()).length, 1);
      }));

    it('patches only the named fields and ignores undefined ones', () =>
      withStore(harness, async (s) => {
        await s.insertAccount(account(1));
        const after = await s.updateAccount('acc_1', { blocked: true, paymentToken: 'tok_visa', role: undefined });
        assert.deepEqual(after, account(1, { blocked: true, paymentToken: 'tok_visa' }));
        const cleared = await s.updateAccount('acc_1', { paymentToken: null, spendingLimit: 1200, role: 'staff' });
        assert.deepEqual(cleared, account(1, { blocked: true, spendingLimit: 1200, role: 'staff' }));
        assert.equal(await s.updateAccount('acc_9', { blocked: true }), null);
      }));

    it('lists every account', () =>
      withStore(harness, async (s) => {
        for (const i of [3, 1, 2]) await s.insertAccount(account(i));
        const ids = (await s.allAccounts()).map((a) => a.id).sort();
        assert.deepEqual(ids, ['acc_1', 'acc_2', 'acc_3']);
      }));

    it('keeps sign-ins by token hash, deletes one, sweeps expired ones', () =>
      withStore(harness, async (s) => {
        await s.insertAccount(account(1));
        const a = { tokenHash: 'h-a', accountId: 'acc_1', created: T0, expires: T0 + 10 };
        const b = { tokenHash: 'h-b', accountId: 'acc_1', created: T0, expires: T0 + 20 };
        await s.insertSignIn(a);
        await s.insertSignIn(b);
        assert.deepEqual(await s.signInByHash('h-a'), a);
        assert.equal(await s.signInByHash('h-c'), null);
        assert.equal(await s.deleteExpiredSignIns(T0 + 10), 1);
        assert.equal(await s.signInByHash('h-a'), null);
        assert.deepEqual(await s.signInByHash('h-b'), b);
        await s.deleteSignIn('h-b');
        assert.equal(await s.signInByHash('h-b'), null);
      }));

    if (harness.reopen) {
      const reopen = harness.reopen;
      it('keeps accounts and sign-ins across a restart', async () => {
        const first = await harness.open();
        await first.insertAccount(account(1, { paymentToken: 'tok_visa', blocked: true }));
        await first.insertSignIn({ tokenHash: 'h', accountId: 'acc_1', created: T0, expires: T0 + 1 });
        await first.close();
        const second = await reopen();
        try {
          assert.deepEqual(await second.accountById('acc_1'), account(1, { paymentToken: 'tok_visa', blocked: true }));
          assert.equal((await second.signInByHash('h'))?.accountId, 'acc_1');
        } finally {
          await second.close();
        }
      });
    }
  });
}
