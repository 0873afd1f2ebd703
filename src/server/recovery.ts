/**
 * Crash recovery: rebuilds the engine by replaying the input journal into a fresh engine, page by page, and lines
 * the decisions it makes again up with the event log by position (from the seed's position when the journal was
 * pruned at an epoch). The first N re-made decisions must be the N
 * already logged (same type, same event time); a difference means the journal and the log disagree (a different
 * engine version, a foreign database) and recovery stops with a WalkoutError rather than guess. Decisions past the
 * end of the log (made before the crash, never logged) are appended. Nothing here publishes, charges or opens a
 * gate: side effects belong to live decisions, and a replayed gate command is stale by definition.
 */
import type { EngineEvent } from '../engine/events.ts';
import type { Engine } from '../engine/types.ts';
import { WalkoutError } from '../errors.ts';
import type { EventLog } from '../storage/event-log.ts';
import type { InputJournal } from '../storage/input-journal.ts';
import { applyCall } from './journal.ts';

export interface RecoveryOptions {
  journal: InputJournal;
  log: EventLog;
  /** A fresh engine whose sink pushes into the buffer `take` empties. */
  engine: Engine;
  take: () => EngineEvent[];
  /** Journal rows read per page. */
  pageSize?: number;
  wallNow?: () => number;
}

export interface RecoveryReport {
  /** Journal rows replayed. */
  calls: number;
  /** Log positions lined up: re-made decisions found already in the log, after those before the journal's epoch. */
  matched: number;
  /** Re-made decisions the log lacked, appended now. */
  appended: number;
  /** Engine errors met again during replay (each was logged when it first happened). */
  engineErrors: number;
  seconds: number;
}

export async function recoverFromJournal(options: RecoveryOptions): Promise<RecoveryReport> {
  const { journal, log, engine } = options;
  const wallNow = options.wallNow ?? (() => performance.now());
  const started = wallNow();
  const logged = await log.lastSeq();
  const report: RecoveryReport = { calls: 0, matched: 0, appended: 0, engineErrors: 0, seconds: 0 };
  let after = 0;
  for (;;) {
    const page = await journal.read({ after, limit: options.pageSize ?? 5_000 });
    if (page.length === 0) break;
    // A journal pruned at an epoch starts there: its decisions take the log's positions from the seed's on.
    const first = page[0]!;
    if (after === 0 && first.kind === 'epoch') report.matched = startAtEpoch(first.seed.decisions, logged);
    for (const entry of page) {
      if (applyCall(engine, entry).error) report.engineErrors += 1;
    }
    after = page[page.length - 1]!.seq;
    report.calls += page.length;
    await settle(options.take(), log, logged, report);
  }
  if (report.matched < logged) {
    throw new WalkoutError(
      'RECOVERY_DIVERGED',
      `the event log holds ${logged} decisions but replaying the input journal (${report.calls} calls) re-made only ${report.matched}: the journal is incomplete or belongs to another log`,
      { logged, matched: report.matched, calls: report.calls },
    );
  }
  report.seconds = (wallNow() - started) / 1000;
  return report;
}

/** The log position replay from an epoch starts at; the log must hold every decision made before it. */
function startAtEpoch(decisions: number, logged: number): number {
  if (logged < decisions) {
    throw new WalkoutError(
      'RECOVERY_DIVERGED',
      `the input journal starts at an epoch after ${decisions} decisions, but the event log holds only ${logged}: the journal was pruned past what the log holds, or belongs to another log`,
      { logged, decisions },
    );
  }
  return decisions;
}

/** Compares re-made decisions with the log from the current position, then appends what the log lacks. */
async function settle(events: EngineEvent[], log: EventLog, logged: number, report: RecoveryReport): Promise<void> {
  const overlap = Math.min(events.length, logged - report.matched);
  if (overlap > 0) {
    const rows = await log.read({ after: report.matched, limit: overlap });
    for (let i = 0; i < overlap; i++) {
      const again = events[i]!;
      const row = rows[i];
      if (!row || row.type !== again.type || row.t !== again.t) {
        throw new WalkoutError(
          'RECOVERY_DIVERGED',
          `replay re-made decision #${report.matched + i + 1} as ${again.type} at ${again.t}, but the event log has ${row ? `${row.type} at ${row.t}` : 'nothing'} there`,
          { position: report.matched + i + 1, replayed: { type: again.type, t: again.t }, logged: row ?? null },
        );
      }
    }
    report.matched += overlap;
  }
  for (const event of events.slice(overlap)) {
    await log.append(event);
    report.appended += 1;
  }
}
