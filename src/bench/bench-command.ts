/**
 * `walkout bench`: runs a suite (simulate → engine in-process → score against the truth), prints one table per
 * store with Walkout beside the baseline, and optionally writes the JSON result and a self-contained HTML report.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { createEngine } from '../engine/engine.ts';
import { WalkoutError } from '../errors.ts';
import { runSimulation } from '../sim/simulate.ts';
import { realDataSection } from './real-data.ts';
import { formatReport } from './report.ts';
import { renderHtmlReport } from './report-html.ts';
import { type BenchDeps, defaultMeters, runBench } from './run-bench.ts';
import { isSuiteName, SUITE_NAMES } from './suites.ts';
import { formatThroughput, measureThroughput } from './throughput.ts';
import { scoreTracking } from './tracking.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const deps: BenchDeps = { simulate: runSimulation, createEngine, tracking: scoreTracking, ...defaultMeters };

interface BenchFlags {
  suite: string;
  store?: string;
  seed: string;
  json?: string;
  html?: string;
  throughput?: boolean;
  minutes: string;
  cases?: boolean;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('benchmark accuracy, review rate, latency and cost on simulated stores, beside a baseline')
    .option('--suite <name>', `suite to run: ${SUITE_NAMES.join(', ')}`, 'quick')
    .option('--store <yaml>', 'only this store (a suite store, or any store file with the suite’s first setup)')
    .option('--seed <n>', 'simulation seed', '1')
    .option('--json <file>', 'write the result as JSON')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--cases', 'also list each store’s review cases (top answer beside the truth) and wrong receipts')
    .option('--throughput', 'instead: the convenience store at full sensor rate, real-time factor on one core')
    .option('--minutes <n>', 'store minutes for --throughput', '3')
    .action(async (flags: BenchFlags) => {
      if (!isSuiteName(flags.suite))
        throw new WalkoutError('BENCH_SUITE', `unknown suite "${flags.suite}" (${SUITE_NAMES.join(', ')})`);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed)) throw new WalkoutError('BENCH_SEED', `seed must be an integer, got "${flags.seed}"`);
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      if (flags.throughput) {
        progress('simulating the store at full sensor rate…');
        const result = measureThroughput({
          root: REPO_ROOT,
          store: flags.store,
          minutes: Number(flags.minutes),
          shoppers: 60,
          seed,
        });
        process.stdout.write(formatThroughput(result));
        if (flags.json) writeFileSync(flags.json, `${JSON.stringify({ throughput: result }, null, 2)}\n`);
        return;
      }
      const result = await runBench(
        {
          suite: flags.suite,
          seed,
          root: REPO_ROOT,
          progress,
          ...(flags.store ? { store: resolve(flags.store) } : {}),
        },
        deps,
      );
      if (flags.store === undefined) result.realData = await realDataSection(REPO_ROOT, deps, progress);
      process.stdout.write(formatReport(result, { cases: flags.cases === true }));
      if (flags.json) writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
      if (flags.html) writeFileSync(flags.html, renderHtmlReport(result));
    });
}
