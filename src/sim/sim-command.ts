/**
 * `walkout sim`: runs the digital twin on a store file and writes `<out>/recording.ndjson` (device messages in
 * time order) and `<out>/truth.json` (what really happened), with a progress bar on long runs.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { WalkoutError } from '../errors.ts';
import type { RecordedMessage } from '../protocol/recording.ts';
import { loadStoreFile } from '../store/load-store.ts';
import { simulateBatches } from './simulate.ts';

interface SimFlags {
  store: string;
  shoppers: string;
  minutes: string;
  seed: string;
  out: string;
  difficulty: string;
  plateRate: string;
  cameraFps?: string;
  progress: boolean;
}

function number(name: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new WalkoutError('SIM_OPTION', `--${name} must be a ${integer ? 'whole ' : ''}number ≥ 0, got "${value}"`);
  }
  return n;
}

/**
 * The recording format of RecordingWriter (one JSON `{topic, payload}` per line), written a batch at a time:
 * a run of an hour has millions of messages and one stream write per message costs more than the simulation.
 */
class BatchWriter {
  private readonly out;

  constructor(file: string) {
    this.out = createWriteStream(file, 'utf8');
  }

  async write(messages: readonly RecordedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    let text = '';
    for (const m of messages) text += `${JSON.stringify(m)}\n`;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('simulate shoppers in a store: write a device recording and its ground truth')
    .requiredOption('--store <yaml>', 'store definition file')
    .option('--shoppers <n>', 'shopper visits (scans) in the run', '50')
    .option('--minutes <m>', 'length of the run in minutes', '30')
    .option('--seed <n>', 'random seed (same seed, same run)', '1')
    .requiredOption('--out <dir>', 'output folder for recording.ndjson and truth.json')
    .option('--difficulty <level>', 'standard or hard (more hard cases, more crowding)', 'standard')
    .option('--plate-rate <rate>', 'exception (keep-alives, 60 Hz on change) or full (60 Hz always)', 'exception')
    .option('--camera-fps <fps>', 'camera frame rate (default: min(camera fps, 10))')
    .option('--no-progress', 'no progress bar')
    .action(async (flags: SimFlags) => {
      const loaded = loadStoreFile(flags.store);
      if (!loaded.ok) throw new WalkoutError('STORE_INVALID', `${flags.store}:\n${loaded.reason}`);
      if (flags.difficulty !== 'standard' && flags.difficulty !== 'hard')
        throw new WalkoutError('SIM_OPTION', `--difficulty must be standard or hard, got "${flags.difficulty}"`);
      if (flags.plateRate !== 'exception' && flags.plateRate !== 'full')
        throw new WalkoutError('SIM_OPTION', `--plate-rate must be exception or full, got "${flags.plateRate}"`);
      const minutes = number('minutes', flags.minutes, false);
      mkdirSync(flags.out, { recursive: true });
      const bar =
        flags.progress && process.stderr.isTTY && minutes >= 5
          ? new SingleBar({ format: 'simulating [{bar}] {percentage}% | {duration}s', stream: process.stderr })
          : null;
      bar?.start(100, 0);
      const started = performance.now();
      const writer = new BatchWriter(join(flags.out, 'recording.ndjson'));
      const counts = new Map<string, number>();
      const run = simulateBatches(loaded.value, {
        shoppers: number('shoppers', flags.shoppers, true),
        minutes,
        seed: number('seed', flags.seed, true),
        difficulty: flags.difficulty,
        plateRate: flags.plateRate,
        ...(flags.cameraFps ? { cameraFps: number('camera-fps', flags.cameraFps, false) } : {}),
        onProgress: (f) => bar?.update(Math.round(f * 100)),
      });
      let next = run.next();
      while (!next.done) {
        for (const m of next.value) {
          const kind = m.topic.slice(m.topic.lastIndexOf('/') + 1);
          counts.set(kind, (counts.get(kind) ?? 0) + 1);
        }
        await writer.write(next.value);
        next = run.next();
      }
      const truth = next.value;
      await writer.close();
      writeFileSync(join(flags.out, 'truth.json'), JSON.stringify(truth));
      bar?.stop();
      const seconds = (performance.now() - started) / 1000;
      const items = truth.visits.reduce((s, v) => s + v.receipt.reduce((a, l) => a + l.qty, 0), 0);
      const cases = Object.entries(truth.hardCases).map(([k, v]) => `${k} ${v?.length ?? 0}`);
      const lines = [
        `wrote ${join(flags.out, 'recording.ndjson')} and truth.json in ${seconds.toFixed(1)} s`,
        `messages: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`,
        `visits: ${truth.visits.length} (${truth.visits.filter((v) => v.staff).length} staff), people: ${truth.people.length}, interactions: ${truth.interactions.length}, items charged: ${items}`,
        `hard cases: ${cases.join(', ') || 'none'}`,
        `faults: ${truth.faults.length}`,
      ];
      console.log(lines.join('\n'));
    });
}
