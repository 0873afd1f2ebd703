/**
 * Shopper accounts: sign-up and sign-in with email and password, sign-in sessions (random tokens kept only as
 * SHA-256 hashes, so a leaked table signs nobody in), roles, the card as a provider token, a spending limit and
 * standing. Also owns the in-memory standing cache the entry gate reads synchronously (qr-authorizer.ts): every
 * write goes through this service, which updates the cache after the store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../errors.ts';
import { DEFAULT_SCRYPT, hashPassword, type ScryptCost, verifyPassword } from './accounts-password.ts';
import type { AccountPatch, AccountRecord, AccountStore, Role } from './accounts-store.ts';

/** What the shopper app and the gate may see of an account (no hashes). */
export interface PublicAccount {
  id: string;
  email: string;
  role: Role;
  paymentMethod: { label: string } | null;
  spendingLimit: number | null;
  blocked: boolean;
}

/** What the entry gate needs to know, synchronously. */
export interface AccountStanding {
  role: Role;
  blocked: boolean;
  hasPaymentMethod: boolean;
  spendingLimit: number | null;
}

export interface AccountsOptions {
  store: AccountStore;
  /** Wall clock for sign-in expiry (ms epoch). */
  clock?: () => number;
  /** How long a sign-in lasts. */
  signInTtlMs?: number;
  scrypt?: ScryptCost;
}

export type SignUpCode = 'BAD_EMAIL' | 'WEAK_PASSWORD' | 'EMAIL_TAKEN';
export type PaymentMethodCode = 'NO_SUCH_ACCOUNT' | 'BAD_TOKEN';

const DAY = 86_400_000;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;
/** Provider tokens look like `tok_visa`, `pm_1Abc`; a bare run of 12+ digits is a card number and is refused. */
const PROVIDER_TOKEN = /^(tok|pm|card|src)_[A-Za-z0-9_]{2,100}$/;
const CARD_NUMBER_LIKE = /\d{12,}/;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export function publicAccount(a: AccountRecord): PublicAccount {
  return {
    id: a.id,
    email: a.email,
    role: a.role,
    paymentMethod: a.paymentToken ? { label: a.paymentLabel ?? 'card' } : null,
    spendingLimit: a.spendingLimit,
    blocked: a.blocked,
  };
}

export class AccountsService {
  private readonly standings = new Map<string, AccountStanding>();
  private readonly tokens = new Map<string, string>();
  private readonly clock: () => number;
  private readonly ttl: number;
  private readonly cost: ScryptCost;
  /** A real hash to verify against when the email is unknown, so timing does not tell which emails exist. */
  private dummyHash: string | null = null;

  private constructor(
    private readonly store: AccountStore,
    options: AccountsOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.ttl = options.signInTtlMs ?? 30 * DAY;
    this.cost = options.scrypt ?? DEFAULT_SCRYPT;
  }

  /** Opens the service and warms the standing cache from the store. */
  static async open(options: AccountsOptions): Promise<AccountsService> {
    const service = new AccountsService(options.store, options);
    for (const a of await options.store.allAccounts()) service.remember(a);
    await options.store.deleteExpiredSignIns(service.clock());
    return service;
  }

  async signUp(
    email: string,
    password: string,
  ): Promise<Result<{ account: PublicAccount; token: string }, SignUpCode>> {
    const normal = normalizeEmail(email);
    if (!EMAIL.test(normal)) return fail('BAD_EMAIL', 'that does not look like an email address');
    if (password.length < 8 || password.length > 200) {
      return fail('WEAK_PASSWORD', 'a password needs 8 to 200 characters');
    }
    const record: AccountRecord = {
      id: `acc_${randomBytes(9).toString('base64url')}`,
      email: normal,
      passwordHash: await hashPassword(password, this.cost),
      role: 'shopper',
      paymentToken: null,
      paymentLabel: null,
      spendingLimit: null,
      blocked: false,
      created: this.clock(),
    };
    const inserted = await this.store.insertAccount(record);
    if (!inserted.ok) return fail('EMAIL_TAKEN', 'an account with that email already exists');
    this.remember(record);
    return ok({ account: publicAccount(record), token: await this.newSignIn(record.id) });
  }

  async signIn(
    email: string,
    password: string,
  ): Promise<Result<{ account: PublicAccount; token: string }, 'BAD_CREDENTIALS'>> {
    const record = await this.store.accountByEmail(normalizeEmail(email));
    if (!record) {
      this.dummyHash ??= await hashPassword('not-a-password', this.cost);
      await verifyPassword(password, this.dummyHash);
      return fail('BAD_CREDENTIALS', 'wrong email or password');
    }
    if (!(await verifyPassword(password, record.passwordHash)))
      return fail('BAD_CREDENTIALS', 'wrong email or password');
    return ok({ account: publicAccount(record), token: await this.newSignIn(record.id) });
  }

  /** The account behind a sign-in token, or null when the token is unknown or expired. */
  async authenticate(token: string): Promise<PublicAccount | null> {
    if (!token || token.length > 200) return null;
    const signIn = await this.store.signInByHash(tokenHash(token));
    if (!signIn) return null;
    if (signIn.expires <= this.clock()) {
      await this.store.deleteSignIn(signIn.tokenHash);
      return null;
    }
    const record = await this.store.accountById(signIn.accountId);
    return record ? publicAccount(record) : null;
  }

  async signOut(token: string): Promise<void> {
    await this.store.deleteSignIn(tokenHash(token));
  }

  async get(accountId: string): Promise<PublicAccount | null> {
    const record = await this.store.accountById(accountId);
    return record ? publicAccount(record) : null;
  }

  /** Stores the provider's token for the shopper's card. Refuses anything that looks like a card number. */
  async setPaymentMethod(
    accountId: string,
    token: string,
    label: string,
  ): Promise<Result<PublicAccount, PaymentMethodCode>> {
    if (!PROVIDER_TOKEN.test(token) || CARD_NUMBER_LIKE.test(token)) {
      return fail('BAD_TOKEN', 'expected a payment provider token (tok_…/pm_…), never a card number');
    }
    return this.update(accountId, { paymentToken: token, paymentLabel: label.slice(0, 60) || 'card' });
  }

  removePaymentMethod(accountId: string) {
    return this.update(accountId, { paymentToken: null, paymentLabel: null });
  }

  setSpendingLimit(accountId: string, limit: number | null) {
    if (limit !== null && (!Number.isInteger(limit) || limit <= 0))
      throw new RangeError('limit must be a positive integer');
    return this.update(accountId, { spendingLimit: limit });
  }

  setBlocked(accountId: string, blocked: boolean) {
    return this.update(accountId, { blocked });
  }

  setRole(accountId: string, role: Role) {
    return this.update(accountId, { role });
  }

  /** Synchronous, from memory: for the entry gate. Undefined for an unknown account. */
  standing(accountId: string): AccountStanding | undefined {
    return this.standings.get(accountId);
  }

  /** The provider token to charge, from memory; null when the account has no card. */
  paymentTokenOf(accountId: string): string | null {
    return this.tokens.get(accountId) ?? null;
  }

  async emailOf(accountId: string): Promise<string | null> {
    return (await this.store.accountById(accountId))?.email ?? null;
  }

  private async update(accountId: string, patch: AccountPatch): Promise<Result<PublicAccount, 'NO_SUCH_ACCOUNT'>> {
    const record = await this.store.updateAccount(accountId, patch);
    if (!record) return fail('NO_SUCH_ACCOUNT', `no account ${accountId}`);
    this.remember(record);
    return ok(publicAccount(record));
  }

  private remember(a: AccountRecord): void {
    this.standings.set(a.id, {
      role: a.role,
      blocked: a.blocked,
      hasPaymentMethod: a.paymentToken !== null,
      spendingLimit: a.spendingLimit,
    });
    if (a.paymentToken) this.tokens.set(a.id, a.paymentToken);
    else this.tokens.delete(a.id);
  }

  private async newSignIn(accountId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock();
    await this.store.insertSignIn({ tokenHash: tokenHash(token), accountId, created: now, expires: now + this.ttl });
    return token;
  }
}
