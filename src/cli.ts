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

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // The edge of every command: a refusal (a bad flag, a store file that does not load) is its message, not a trace.
  if (!(error instanceof WalkoutError)) throw error;
  console.error(`walkout: ${error.message} (${error.code})`);
  process.exitCode = 1;
}
