/**
 * `walkout import autocheckout <dir> --out <out>`: converts the AutoCheckout cps-test data into a Walkout store
 * definition and a recording (see src/store/import-autocheckout.ts).
 */
import type { Command } from 'commander';
import { writeAutoCheckout } from './import-autocheckout.ts';

export function registerImportCommand(program: Command): void {
  const imports = program.command('import').description('convert data from other systems into Walkout files');
  imports
    .command('autocheckout')
    .argument('<dir>', 'AutoCheckout data folder (plates/, planogram.csv, store_meta/)')
    .requiredOption('-o, --out <dir>', 'folder for store.yaml and recording.ndjson')
    .description('import an AutoCheckout (CPS-IoT 2020 Nanostore) visit: store.yaml + recording.ndjson')
    .action(async (dir: string, options: { out: string }) => {
      const result = await writeAutoCheckout(dir, options.out);
      if (!result.ok) {
        console.error(result.reason);
        process.exitCode = 1;
        return;
      }
      const r = result.value;
      console.log(
        `${r.storeFile}: ${r.products} products, ${r.plates} plates, ${r.cameras} cameras\n` +
          `${r.recordingFile}: ${r.messages} messages`,
      );
    });
}
