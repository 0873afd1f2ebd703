/**
 * The checkout ledger in SQLite (better-sqlite3 12): the payments table that makes a capture happen once across
 * retries and restarts, refunds unique per (visit, line), receipts for the app's history, and disputes. Each record
 * is one JSON column plus the columns it is looked up by.
 */
import type Database from 'better-sqlite3';
import { SqliteTables } from '../../storage/open-sqlite.ts';
import {
  type CheckoutLedger,
  type DisputeRecord,
  type PaymentRecord,
  type ReceiptRecord,
  type RefundRecord,
  waitsForStaff,
} from './types.ts';

const parse = <T>(rows: unknown[]): T[] => (rows as { data: string }[]).map((r) => JSON.parse(r.data) as T);
const one = <T>(row: unknown): T | null => (row ? (JSON.parse((row as { data: string }).data) as T) : null);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS payments (visit TEXT PRIMARY KEY, status TEXT NOT NULL, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS payment_refunds (
    visit TEXT NOT NULL, line TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (visit, line));
  CREATE TABLE IF NOT EXISTS receipts (
    visit TEXT PRIMARY KEY, account TEXT NOT NULL, final_at INTEGER, emailed INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS receipts_by_account ON receipts (account, final_at);
  CREATE TABLE IF NOT EXISTS disputes (
    dispute_id TEXT PRIMARY KEY, visit TEXT NOT NULL, opened INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS disputes_by_visit ON disputes (visit);`;

export class SqliteCheckoutLedger extends SqliteTables implements CheckoutLedger {
  /** `file` is a path or `:memory:`; pass an open database to share one file with other tables. */
  constructor(file: string | Database.Database) {
    super(file, SCHEMA);
  }

  async payment(visit: string) {
    return one<PaymentRecord>(this.db.prepare('SELECT data FROM payments WHERE visit = ?').get(visit));
  }

  async putPayment(record: PaymentRecord) {
    this.db
      .prepare(
        'INSERT INTO payments (visit, status, data) VALUES (?, ?, ?) ON CONFLICT(visit) DO UPDATE SET status = excluded.status, data = excluded.data',
      )
      .run(record.visit, record.status, JSON.stringify(record));
  }

  async declined() {
    return parse<PaymentRecord>(
      this.db.prepare("SELECT data FROM payments WHERE status = 'declined' ORDER BY visit").all(),
    );
  }

  async unsettled() {
    return parse<PaymentRecord>(
      this.db.prepare("SELECT data FROM payments WHERE status = 'capturing' ORDER BY visit").all(),
    );
  }

  async refunds(visit: string) {
    return parse<RefundRecord>(
      this.db.prepare('SELECT data FROM payment_refunds WHERE visit = ? ORDER BY rowid').all(visit),
    );
  }

  async addRefund(record: RefundRecord) {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO payment_refunds (visit, line, data) VALUES (?, ?, ?)')
      .run(record.visit, record.line, JSON.stringify(record));
    return r.changes === 1;
  }

  async putReceipt(record: ReceiptRecord) {
    const { receipt } = record;
    this.db
      .prepare(
        `INSERT INTO receipts (visit, account, final_at, emailed, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(visit) DO UPDATE SET account = excluded.account, final_at = excluded.final_at,
           emailed = excluded.emailed, data = excluded.data`,
      )
      .run(receipt.visit, receipt.account, receipt.finalAt, record.emailedAt === null ? 0 : 1, JSON.stringify(record));
  }

  async receipt(visit: string) {
    return one<ReceiptRecord>(this.db.prepare('SELECT data FROM receipts WHERE visit = ?').get(visit));
  }

  async receiptsOf(account: string, limit: number) {
    const sql = 'SELECT data FROM receipts WHERE account = ? ORDER BY final_at DESC, visit DESC LIMIT ?';
    return parse<ReceiptRecord>(this.db.prepare(sql).all(account, limit));
  }

  async unsent() {
    return parse<ReceiptRecord>(this.db.prepare('SELECT data FROM receipts WHERE emailed = 0 ORDER BY final_at').all());
  }

  async putDispute(record: DisputeRecord) {
    this.db
      .prepare(
        `INSERT INTO disputes (dispute_id, visit, opened, data) VALUES (?, ?, ?, ?)
         ON CONFLICT(dispute_id) DO UPDATE SET data = excluded.data`,
      )
      .run(record.disputeId, record.visit, record.opened, JSON.stringify(record));
  }

  async dispute(disputeId: string) {
    return one<DisputeRecord>(this.db.prepare('SELECT data FROM disputes WHERE dispute_id = ?').get(disputeId));
  }

  async disputesOf(visit: string) {
    return parse<DisputeRecord>(
      this.db.prepare('SELECT data FROM disputes WHERE visit = ? ORDER BY opened, rowid').all(visit),
    );
  }

  async disputesInReview() {
    const rows = this.db.prepare('SELECT data FROM disputes ORDER BY opened, rowid').all();
    return parse<DisputeRecord>(rows).filter(waitsForStaff);
  }
}
