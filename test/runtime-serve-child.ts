/**
 * `walkout serve` as a child process for the runtime tests: the real serve command (src/server/serve-command.ts)
 * registered on its own commander program, so the test runs exactly what an operator runs without depending on
 * every other command of the CLI. Arguments and WALKOUT_* environment variables are passed through.
 */
import { Command } from 'commander';
import { registerServeCommand } from '../src/server/serve-command.ts';

// The runtime tests publish the simulator's unsigned demo codes, which `--no-sim` refuses unless asked for.
process.env.WALKOUT_DEMO_CODES ??= 'on';
const program = new Command('walkout');
registerServeCommand(program);
await program.parseAsync(['node', 'walkout', 'serve', ...process.argv.slice(2)]);
