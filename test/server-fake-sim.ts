/**
 * A stand-in for src/sim/simulate.ts in the sim feed tests: same signature, a tiny deterministic store day.
 * Plate p1 reports once a second; each shopper scans at the door one second after the previous one, walks in and
 * out again. Visits end within the chunk.
 */
import type { RecordedMessage } from '../src/protocol/recording.ts';
import type { Store } from '../src/store/store.ts';

export function runSimulation(
  store: Store,
  options: { shoppers: number; minutes: number; seed: number; start?: number },
  onMessage: (m: RecordedMessage) => void,
): { storeId: string; start: number; end: number } {
  const start = options.start ?? Date.UTC(2025, 0, 1);
  const end = start + options.minutes * 60_000;
  const id = store.def.id;
  const messages: [number, RecordedMessage][] = [];
  for (let t = start; t < end; t += 1000) {
    messages.push([t, { topic: `walkout/${id}/plates/p1/weight`, payload: { v: 1, ts: t, hz: 1, grams: [3550] } }]);
  }
  for (let i = 0; i < options.shoppers; i++) {
    const t = start + 500 + i * 1000;
    const gate = (kind: string, dt: number, body: object): [number, RecordedMessage] => [
      t + dt,
      { topic: `walkout/${id}/gates/door/${kind}`, payload: { v: 1, ts: t + dt, ...body } },
    ];
    messages.push(gate('scan', 0, { code: `demo:sim-${options.seed}-${i}:1` }));
    messages.push(gate('pass', 200, { direction: 'in' }));
  }
  messages.sort((a, b) => a[0] - b[0]);
  for (const [, m] of messages) onMessage(m);
  return { storeId: id, start, end };
}
