/**
 * Writes the example store definitions (examples/kiosk.yaml, examples/convenience.yaml) from the deterministic
 * generators in src/sim/examples. Run: `npx tsx scripts/make-examples.ts`. Re-running gives identical files.
 */
import { writeFileSync } from 'node:fs';
import { convenienceStore, kioskStore } from '../src/sim/examples/stores.ts';
import { EXAMPLE_TITLES, storeToYaml } from '../src/sim/examples/yaml.ts';
import { parseStore } from '../src/store/load-store.ts';
import type { StoreDef } from '../src/store/schema.ts';

function write(file: string, def: StoreDef, title: string): void {
  const checked = parseStore(def);
  if (!checked.ok) throw new Error(`${file} is not a valid store:\n${checked.reason}`);
  writeFileSync(file, storeToYaml(def, title));
  const s = checked.value;
  console.log(
    `${file}: ${s.products.size} products, ${s.plates.size} plates, ${s.cameras.size} cameras, ${s.gates.size} gates`,
  );
}

const root = new URL('../examples/', import.meta.url);
write(new URL('kiosk.yaml', root).pathname, kioskStore(), EXAMPLE_TITLES.kiosk);
write(new URL('convenience.yaml', root).pathname, convenienceStore(), EXAMPLE_TITLES.convenience);
