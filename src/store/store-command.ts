/**
 * `walkout store check <yaml>`: validates a store definition and summarises it, listing every problem found.
 */
import type { Command } from 'commander';
import { lookAlikePlates, MIN_WEIGHT_SEPARATION_Z } from '../weight/separation.ts';
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
      const lookAlikes = lookAlikePlates(loaded.value);
      if (lookAlikes.length === 0) return;
      console.log(
        `warning: ${lookAlikes.length} plate(s) hold products weight cannot tell apart ` +
          `(< ${MIN_WEIGHT_SEPARATION_Z} σ); picks from them go to review. Put them on separate plates:`,
      );
      for (const p of lookAlikes) console.log(`  ${p.plateId}: ${p.skus.join(' / ')} (${p.z.toFixed(1)} σ)`);
    });
}
