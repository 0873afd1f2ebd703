/**
 * Final receipts the exit flow never heard of. The exit flow learns of a `receipt.final` from the live event hub,
 * but two kinds are never announced there: those that start-up recovery re-made and appended to the log (decided
 * before a crash, never logged), and those logged just before a crash, before the exit flow recorded them. So at
 * start, before the exit flow starts, the log's `receipt.final` events since the last start are read, and each one
 * of a shopper account that the checkout ledger does not know is recorded there as not yet emailed: the exit
 * flow's own resume (`ledger.unsent()`) then captures and mails it exactly like a live one, idempotent per visit.
 * Items found on the floor after a receipt was final are read too and handed back, for the exit flow to refund once
 * it has started (a credit is answered by itself if it was made before the crash), and so are visits that timed out
 * (a party that scanned and never came in), for the exit flow to release their hold (none held: nothing to do).
 * The position reached is kept in `<dataDir>/receipts-cursor.json`, named after the log it belongs to, and moves only
 * when the caller says those steps are done (`advance`): the receipts are in the ledger by then, but the steps live
 * only in memory, so a start that crashes before they are done reads them again; one that failed holds the cursor
 * just before it, not for good past everything after it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckoutLedger } from '../checkout/payments/types.ts';
import type { FoundItem } from '../engine/found-items.ts';
import type { EventLog } from '../storage/event-log.ts';

export const CURSOR_FILE = 'receipts-cursor.json';
const PAGE = 1_000;

export interface CatchUpOptions {
  log: EventLog;
  /** Which log this is (the cursor of another log is ignored). */
  logName: string;
  ledger: CheckoutLedger;
  /** Accounts whose receipts the exit flow handles (the shopper accounts; not the simulator's demo ones). */
  handles(account: string): boolean;
  /** Where the cursor lives; null: no cursor, the whole log is read. */
  dataDir: string | null;
}

export interface CatchUpReport {
  /** Receipts read from the log. */
  read: number;
  /** Of which the ledger lacked and now holds, for the exit flow to finish. */
  added: number;
  /** Items found on the floor after a receipt was final, to refund again (a refund done before answers itself). */
  refunds: number;
  /** Visits that timed out, whose hold (if any) to release (a release done before answers itself). */
  releases: number;
  from: number;
  to: number;
}

function readCursor(path: string, logName: string): number {
  if (!existsSync(path)) return 0;
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { log?: unknown; seq?: unknown };
    return raw.log === logName && Number.isInteger(raw.seq) ? (raw.seq as number) : 0;
  } catch {
    return 0; // a damaged cursor costs one full read, nothing else
  }
}

/** Work for the exit flow, with its position in the log. */
export type CatchUpStep = { seq: number } & ({ kind: 'refund'; found: FoundItem } | { kind: 'release'; visit: string });

export interface CatchUp {
  report: CatchUpReport;
  /** In log order. */
  steps: CatchUpStep[];
  /** Moves the cursor past what was read, or up to just before `failed` (a step's seq): once the steps are done. */
  advance(failed?: number): void;
}

export async function catchUpReceipts(o: CatchUpOptions): Promise<CatchUp> {
  const path = o.dataDir === null ? null : join(o.dataDir, CURSOR_FILE);
  const last = await o.log.lastSeq();
  let from = path ? readCursor(path, o.logName) : 0;
  // A cursor past the end belongs to a log that was reset under the same name.
  if (from > last) from = 0;
  const report: CatchUpReport = { read: 0, added: 0, refunds: 0, releases: 0, from, to: last };
  const steps: CatchUpStep[] = [];
  let after = from;
  while (after < last) {
    const page = await o.log.read({ after, limit: PAGE, types: ['receipt.final', 'item.found', 'session.closed'] });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.seq > last) continue;
      if (event.type === 'item.found' && event.data.afterFinal && event.data.sessionId !== null)
        steps.push({ seq: event.seq, kind: 'refund', found: event.data });
      if (event.type === 'session.closed' && event.data.reason === 'timeout')
        steps.push({ seq: event.seq, kind: 'release', visit: event.data.sessionId });
      if (event.type !== 'receipt.final') continue;
      const receipt = event.data;
      report.read += 1;
      if (receipt.status !== 'final' || !o.handles(receipt.account)) continue;
      if (await o.ledger.receipt(receipt.visit)) continue;
      await o.ledger.putReceipt({ receipt, emailedAt: null, emailError: null });
      report.added += 1;
    }
    after = page[page.length - 1]!.seq;
  }
  const advance = (failed?: number) => {
    if (!path) return;
    const seq = failed === undefined ? last : failed - 1;
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ log: o.logName, seq })}\n`);
    renameSync(`${path}.tmp`, path);
  };
  const count = (kind: CatchUpStep['kind']) => steps.filter((s) => s.kind === kind).length;
  return { report: { ...report, refunds: count('refund'), releases: count('release') }, steps, advance };
}
