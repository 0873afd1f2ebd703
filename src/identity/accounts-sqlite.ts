/**
 * Accounts and sign-in sessions in SQLite (better-sqlite3 12, WAL): the store box's default, so accounts and
 * signed-in phones survive a restart. Same contract as the in-memory store (accounts-store.contract.ts).
 */
import type Database from 'better-sqlite3';
import { SqliteTables } from '../storage/open-sqlite.ts';
import {
  type AccountPatch,
  type AccountRecord,
  type AccountStore,
  definedOnly,
  type SignInRecord,
} from './accounts-store.ts';

interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  role: string;
  payment_token: string | null;
  payment_label: string | null;
  spending_limit: number | null;
  blocked: number;
  created: number;
}

interface SignInRow {
  token_hash: string;
  account_id: string;
  created: number;
  expires: number;
}

const COLUMN: Record<keyof AccountPatch, string> = {
  paymentToken: 'payment_token',
  paymentLabel: 'payment_label',
  spendingLimit: 'spending_limit',
  blocked: 'blocked',
  role: 'role',
};

function fromRow(r: AccountRow): AccountRecord {
  return {
    id: r.id,
    email: r.email,
    passwordHash: r.password_hash,
    role: r.role === 'staff' ? 'staff' : 'shopper',
    paymentToken: r.payment_token,
    paymentLabel: r.payment_label,
    spendingLimit: r.spending_limit,
    blocked: r.blocked === 1,
    created: r.created,
  };
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    payment_token TEXT,
    payment_label TEXT,
    spending_limit INTEGER,
    blocked INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS account_sign_ins (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL
  );`;

export class SqliteAccountStore extends SqliteTables implements AccountStore {
  /** `file` is a path or `:memory:`; pass an open database to share one file with other tables. */
  constructor(file: string | Database.Database) {
    super(file, SCHEMA);
  }

  async insertAccount(a: AccountRecord) {
    try {
      this.db
        .prepare(
          `INSERT INTO accounts (id, email, password_hash, role, payment_token, payment_label, spending_limit, blocked, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          a.id,
          a.email,
          a.passwordHash,
          a.role,
          a.paymentToken,
          a.paymentLabel,
          a.spendingLimit,
          a.blocked ? 1 : 0,
          a.created,
        );
      return { ok: true as const };
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        return { ok: false as const, code: 'EMAIL_TAKEN' as const };
      }
      throw error;
    }
  }

  async accountById(id: string) {
    const row = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return row ? fromRow(row) : null;
  }

  async accountByEmail(email: string) {
    const row = this.db.prepare('SELECT * FROM accounts WHERE email = ?').get(email) as AccountRow | undefined;
    return row ? fromRow(row) : null;
  }

  async allAccounts() {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created, id').all() as AccountRow[]).map(fromRow);
  }

  async updateAccount(id: string, patch: AccountPatch) {
    const entries = Object.entries(definedOnly(patch)) as [keyof AccountPatch, unknown][];
    if (entries.length > 0) {
      const sets = entries.map(([k]) => `${COLUMN[k]} = ?`).join(', ');
      const values = entries.map(([k, v]) => (k === 'blocked' ? (v ? 1 : 0) : v));
      this.db.prepare(`UPDATE accounts SET ${sets} WHERE id = ?`).run(...values, id);
    }
    return this.accountById(id);
  }

  async insertSignIn(s: SignInRecord) {
    this.db
      .prepare('INSERT INTO account_sign_ins (token_hash, account_id, created, expires) VALUES (?, ?, ?, ?)')
      .run(s.tokenHash, s.accountId, s.created, s.expires);
  }

  async signInByHash(tokenHash: string) {
    const row = this.db.prepare('SELECT * FROM account_sign_ins WHERE token_hash = ?').get(tokenHash) as
      | SignInRow
      | undefined;
    return row
      ? { tokenHash: row.token_hash, accountId: row.account_id, created: row.created, expires: row.expires }
      : null;
  }

  async deleteSignIn(tokenHash: string) {
    this.db.prepare('DELETE FROM account_sign_ins WHERE token_hash = ?').run(tokenHash);
  }

  async deleteExpiredSignIns(now: number) {
    return this.db.prepare('DELETE FROM account_sign_ins WHERE expires <= ?').run(now).changes;
  }
}
