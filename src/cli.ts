/**
 * `walkout <command>`: one entry point for running a store, simulating one, replaying recordings,
 * benchmarking and importing data. Each area registers its own command.
 */
import { Command } from 'commander';
import { registerBenchCommand } from './bench/bench-command.ts';
import { registerCamerasCommand } from './cameras/cameras-command.ts';
import { WalkoutError } from './errors.ts';
import { registerPlanCommand } from './ops/plan-command.ts';
import { registerReplayCommand } from './server/replay-command.ts';
import { registerServeCommand } from './server/serve-command.ts';
import { registerSimCommand } from './sim/sim-command.ts';
import { registerImportCommand } from './store/import-command.ts';
import { registerStoreCommand } from './store/store-command.ts';

const program = new Command()
  .name('walkout')
  .description('Walkout: a checkout-free store — shelf weights and ceiling cameras fused into live carts.')
  .showHelpAfterError();

registerServeCommand(program);
registerSimCommand(program);
registerReplayCommand(program);
registerBenchCommand(program);
registerImportCommand(program);
registerStoreCommand(program);
registerCamerasCommand(program);
registerPlanCommand(program);

/** What the commands refuse the user with: a bad flag or a store file that does not load. */
const REFUSALS = new Set(['BENCH_SEED', 'BENCH_SUITE', 'PLAN_FLAG', 'SIM_OPTION', 'STORE_INVALID']);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // The edge of every command: a refusal is its message, not a trace; anything else (a bug) keeps its trace.
  if (!(error instanceof WalkoutError) || !REFUSALS.has(error.code)) throw error;
  console.error(`walkout: ${error.message} (${error.code})`);
  process.exitCode = 1;
}
