/**
 * Where shopper accounts and their sign-in sessions are kept: the storage contract, and the in-memory back end used
 * by tests and the demo. Records hold only hashes (password, sign-in token) and a payment provider's token, never a
 * card number. The SQLite back end is in accounts-sqlite.ts; both pass accounts-store.contract.ts.
 */

export type Role = 'shopper' | 'staff';

export interface AccountRecord {
  id: string;
  /** Lower-cased, trimmed. Unique. */
  email: string;
  /** `scrypt$N$r$p$salt$hash` (see accounts.ts). */
  passwordHash: string;
  role: Role;
  /** A payment provider's card token (`tok_…`, `pm_…`), never the card number. */
  paymentToken: string | null;
  /** What the shopper sees for the card, e.g. "Visa test card". */
  paymentLabel: string | null;
  /** Most the shopper wants charged for one visit, minor units; null for no limit. */
  spendingLimit: number | null;
  blocked: boolean;
  created: number;
}

export type AccountPatch = Partial<
  Pick<AccountRecord, 'paymentToken' | 'paymentLabel' | 'spendingLimit' | 'blocked' | 'role'>
>;

/** A signed-in device: the token itself is only ever given to the shopper; we keep its SHA-256. */
export interface SignInRecord {
  tokenHash: string;
  accountId: string;
  created: number;
  expires: number;
}

export interface AccountStore {
  /** Adds an account; `EMAIL_TAKEN` when the email (or id) is already used. */
  insertAccount(account: AccountRecord): Promise<{ ok: true } | { ok: false; code: 'EMAIL_TAKEN' }>;
  accountById(id: string): Promise<AccountRecord | null>;
  accountByEmail(email: string): Promise<AccountRecord | null>;
  /** Every account, for warming the in-memory standing cache at start. */
  allAccounts(): Promise<AccountRecord[]>;
  /** Applies a patch; null when there is no such account. */
  updateAccount(id: string, patch: AccountPatch): Promise<AccountRecord | null>;
  insertSignIn(signIn: SignInRecord): Promise<void>;
  signInByHash(tokenHash: string): Promise<SignInRecord | null>;
  deleteSignIn(tokenHash: string): Promise<void>;
  /** Drops sign-ins whose `expires` is at or before `now`; returns how many. */
  deleteExpiredSignIns(now: number): Promise<number>;
  close(): Promise<void>;
}

const copy = <T extends object>(x: T): T => ({ ...x });

export class MemoryAccountStore implements AccountStore {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly signIns = new Map<string, SignInRecord>();

  async insertAccount(account: AccountRecord) {
    const taken = this.accounts.has(account.id) || [...this.accounts.values()].some((a) => a.email === account.email);
    if (taken) return { ok: false as const, code: 'EMAIL_TAKEN' as const };
    this.accounts.set(account.id, copy(account));
    return { ok: true as const };
  }

  async accountById(id: string) {
    const a = this.accounts.get(id);
    return a ? copy(a) : null;
  }

  async accountByEmail(email: string) {
    for (const a of this.accounts.values()) if (a.email === email) return copy(a);
    return null;
  }

  async allAccounts() {
    return [...this.accounts.values()].map(copy);
  }

  async updateAccount(id: string, patch: AccountPatch) {
    const a = this.accounts.get(id);
    if (!a) return null;
    const next = { ...a, ...definedOnly(patch) };
    this.accounts.set(id, next);
    return copy(next);
  }

  async insertSignIn(signIn: SignInRecord) {
    this.signIns.set(signIn.tokenHash, copy(signIn));
  }

  async signInByHash(tokenHash: string) {
    const s = this.signIns.get(tokenHash);
    return s ? copy(s) : null;
  }

  async deleteSignIn(tokenHash: string) {
    this.signIns.delete(tokenHash);
  }

  async deleteExpiredSignIns(now: number) {
    let n = 0;
    for (const [hash, s] of this.signIns) {
      if (s.expires <= now) {
        this.signIns.delete(hash);
        n += 1;
      }
    }
    return n;
  }

  async close() {}
}

/** A patch with its undefined keys removed, so `{ paymentToken: undefined }` changes nothing. */
export function definedOnly(patch: AccountPatch): AccountPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as AccountPatch;
}
