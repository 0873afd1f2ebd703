/**
 * `walkout plan`: prices a store before it is built — bill of materials, camera coverage and predicted accuracy for
 * each layout variant, side by side — and writes `<out>/plan.html` (self-contained) and `<out>/plan.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { WalkoutError } from '../errors.ts';
import { runPlan } from './plan.ts';
import { loadBenchDeps } from './plan-predict.ts';
import { formatPlanText, renderPlanHtml } from './plan-report.ts';

interface PlanFlags {
  store: string;
  cameras?: string;
  prices?: string;
  out: string;
  target: string;
  seed: string;
  shoppers?: string;
  minutes: string;
  difficulty: string;
  sim: boolean;
}

function numberFlag(name: string, value: string, check: (n: number) => boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new WalkoutError('PLAN_FLAG', `--${name}: bad value "${value}"`);
  return n;
}

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('price a store before it is built: bill of materials, camera coverage, predicted accuracy per variant')
    .requiredOption('--store <yaml>', 'store definition')
    .option('--cameras <yaml>', 'layout variants to compare (default: as designed, every other camera, weight only)')
    .option('--prices <yaml>', 'price book (default: prices/default-prices.yaml, estimates dated 2026-11)')
    .option('--out <dir>', 'folder for plan.html, plan.json and the variant store files', 'plan-out')
    .option('--target <rate>', 'exact-receipt rate a layout must reach, 0..1', '0.95')
    .option('--seed <n>', 'simulation seed', '1')
    .option(
      '--shoppers <n>',
      'visits in the simulated run (default: one shopper inside per 20 m², 3–20 at once, ~3 min each)',
    )
    .option('--minutes <n>', 'simulated opening minutes per variant', '10')
    .option('--difficulty <level>', 'standard or hard (hard cases more often, crowding)', 'standard')
    .option('--no-sim', 'skip the simulated runs (bill and coverage only)')
    .action(async (flags: PlanFlags) => {
      if (flags.difficulty !== 'standard' && flags.difficulty !== 'hard') {
        throw new WalkoutError('PLAN_FLAG', `--difficulty: standard or hard, not "${flags.difficulty}"`);
      }
      const out = resolve(flags.out);
      mkdirSync(out, { recursive: true });
      const bench = flags.sim ? await loadBenchDeps() : null;
      const { plan, stores } = await runPlan(
        {
          storeFile: resolve(flags.store),
          variantsFile: flags.cameras ? resolve(flags.cameras) : undefined,
          pricesFile: flags.prices ? resolve(flags.prices) : undefined,
          workDir: out,
          target: numberFlag('target', flags.target, (n) => n >= 0 && n <= 1),
          seed: numberFlag('seed', flags.seed, Number.isInteger),
          shoppers: flags.shoppers ? numberFlag('shoppers', flags.shoppers, (n) => n >= 1) : undefined,
          minutes: numberFlag('minutes', flags.minutes, (n) => n > 0),
          difficulty: flags.difficulty,
          skipPrediction: !flags.sim,
          progress: (line) => process.stderr.write(`${line}\n`),
        },
        bench,
      );
      writeFileSync(join(out, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
      writeFileSync(join(out, 'plan.html'), renderPlanHtml(plan, stores));
      process.stdout.write(formatPlanText(plan));
      process.stdout.write(`\nwrote ${join(out, 'plan.html')} and ${join(out, 'plan.json')}\n`);
    });
}
