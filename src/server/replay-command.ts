/**
 * `walkout replay <recording> --store <yaml>`: feeds a recorded NDJSON device stream through the engine, appends the
 * decisions to an event log, optionally writes every visit's receipt, and prints counts and the real-time factor.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { EnginePolicy } from '../engine/types.ts';
import type { EventLog } from '../storage/event-log.ts';
import { type EventLogTarget, openEventLog } from '../storage/open-event-log.ts';
import { loadStoreFile } from '../store/load-store.ts';
import { type ReplaySummary, replayRecording } from './replay.ts';

interface ReplayFlags {
  store: string;
  realtime?: boolean;
  receipts?: string;
  db?: string;
  policy?: string;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('run a recorded device stream (NDJSON) through the engine')
    .argument('<recording>', 'NDJSON recording, one {topic, payload} per line')
    .requiredOption('--store <yaml>', 'store definition the recording was made in')
    .option('--realtime', 'replay at recorded speed instead of as fast as possible')
    .option('--receipts <file>', "write every visit's receipt as JSON")
    .option('--db <file>', 'append the decisions to this SQLite file or postgres://… log (default: kept in memory)')
    .option('--policy <name>', 'walkout (default) or baseline')
    .action(async (recording: string, flags: ReplayFlags) => {
      process.exitCode = await replay(recording, flags);
    });
}

async function replay(recording: string, flags: ReplayFlags): Promise<number> {
  const store = loadStoreFile(flags.store);
  if (!store.ok) {
    console.error(`${flags.store} is not a valid store definition:\n${store.reason}`);
    return 1;
  }
  const policy = flags.policy ?? 'walkout';
  if (policy !== 'walkout' && policy !== 'baseline') {
    console.error(`unknown policy "${policy}": use walkout or baseline`);
    return 1;
  }
  let log: EventLog;
  try {
    log = await openEventLog(replayLogTarget(flags.db));
  } catch (error) {
    console.error(`cannot open the event log: ${(error as Error).message}`);
    return 1;
  }
  let summary: ReplaySummary;
  try {
    summary = await replayRecording({
      recording,
      store: store.value,
      log,
      realtime: flags.realtime,
      policy: policy as EnginePolicy,
    });
  } catch (error) {
    console.error(`replay failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await log.close();
  }
  if (flags.receipts) writeFileSync(flags.receipts, `${JSON.stringify(summary.receipts, null, 2)}\n`);
  console.log(formatSummary(summary));
  return 0;
}

/** Replay takes any file name as a SQLite file; only a postgres:// url or `memory` means something else. */
function replayLogTarget(db: string | undefined): EventLogTarget {
  if (!db || db === 'memory') return { kind: 'memory', location: '' };
  if (/^postgres(ql)?:\/\//.test(db)) return { kind: 'postgres', location: db };
  return { kind: 'sqlite', location: resolve(db.replace(/^sqlite:/, '')) };
}

export function formatSummary(s: ReplaySummary): string {
  const rejected = Object.entries(s.rejected)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const totalRejected = Object.values(s.rejected).reduce((a, b) => a + (b ?? 0), 0);
  const byStatus = new Map<string, number>();
  for (const r of s.receipts) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const factor = s.realTimeFactor === null ? 'n/a' : `${s.realTimeFactor.toFixed(1)}×`;
  return [
    `messages      ${s.messages} (accepted ${s.accepted}, rejected ${totalRejected}${rejected ? `: ${rejected}` : ''})`,
    `shelf events  ${s.shelfEvents}`,
    `visits        ${s.visits} (${[...byStatus].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})`,
    `reviews       ${s.reviews}`,
    `events logged ${s.eventsLogged}`,
    `store time    ${s.storeSeconds.toFixed(1)} s in ${s.wallSeconds.toFixed(2)} s wall: ${factor} real time`,
  ].join('\n');
}
