/**
 * Processing cost of the weight stage: a store of 1,000 plates at 60 Hz full rate (60,000 samples/s), with a pick
 * every few seconds, fed in timestamp order with advance() after every batch (the engine's worst case).
 * Prints samples/s processed per CPU second and the share of one core that real time needs.
 * Run: `npx tsx src/weight/bench-weight.ts [plates=1000] [seconds=30]`.
 */
import { createWeightStage } from './stage.ts';
import { fullRate, merge, type PlateScript } from './synthetic.ts';
import { bigStore, fullStock } from './test-store.ts';

const plates = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 30);
const T0 = 1_700_000_000_000;

const store = bigStore(plates);
const ids = [...store.plates.keys()];
const scripts: PlateScript[] = ids.map((plateId, i) => ({ plateId, base: 500 + (i % 37) * 91 }));
// A pick somewhere every 2 s: one unit of the plate's product, with the hand pressing first.
for (let k = 0; 2000 * (k + 1) < seconds * 1000 - 3000; k++) {
  const s = scripts[(k * 7919) % scripts.length]!;
  const sku = store.plates.get(s.plateId)!.plate.skus[0]!;
  const grams = store.products.get(sku)!.unitWeight.mean;
  const t = 2000 * (k + 1);
  s.changes = [...(s.changes ?? []), { t, grams }];
  s.presses = [...(s.presses ?? []), { t0: t - 600, t1: t + 200, grams: 120 }];
}
const messages = merge(scripts.map((s, i) => fullRate(s, T0, seconds * 1000, i + 1)));
const samples = messages.reduce((n, m) => n + m.grams.length, 0);

const stage = createWeightStage(store, { stock: fullStock(store) });
let events = 0;
const before = process.cpuUsage();
for (const m of messages) {
  stage.onBatch(m);
  events += stage.advance(m.ts).length;
}
events += stage.flush().length;
const used = process.cpuUsage(before);
const cpuSeconds = (used.user + used.system) / 1e6;
const perSecond = samples / cpuSeconds;
const liveRate = plates * 60;

console.log(`plates ${plates}, ${seconds} s of event time, ${messages.length} batches, ${samples} samples`);
console.log(`shelf events: ${events} (picks scripted: ${scripts.reduce((n, s) => n + (s.changes?.length ?? 0), 0)})`);
console.log(`cpu ${cpuSeconds.toFixed(3)} s → ${Math.round(perSecond).toLocaleString('en')} samples/s per core`);
console.log(
  `live load ${liveRate.toLocaleString('en')} samples/s = ${((100 * liveRate) / perSecond).toFixed(2)} % of one core`,
);
