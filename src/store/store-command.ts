/**
 * `walkout store check <yaml>`: validates a store definition and summarises it, listing every problem found.
 */
import type { Command } from 'commander';
import { loadStoreFile } from './load-store.ts';

export function registerStoreCommand(program: Command): void {
  const store = program.command('store').description('work with store definitions');
  store
    .command('check')
    .argument('<yaml>', 'store definition file')
    .description('validate a store definition and print a summary')
    .action((file: string) => {
      const loaded = loadStoreFile(file);
      if (!loaded.ok) {
        console.error(`${file} is not a valid store definition:\n${loaded.reason}`);
        process.exitCode = 1;
        return;
      }
      const { def, plates } = loaded.value;
      console.log(
        `${def.name} (${def.id}): ${def.products.length} products, ${def.fixtures.length} fixtures, ` +
          `${plates.size} plates, ${def.cameras.length} cameras, ${def.gates.length} gates, mode ${def.mode}`,
      );
    });
}
