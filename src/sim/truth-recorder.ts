/**
 * Collects the ground truth while the twin runs: visits with their receipts (what the party carried out), every
 * interaction, each person's path and wrists at `sampleHz`, hard cases and injected faults.
 */
import type { ItemCount } from '../weight/types.ts';
import type { GroundTruth, HardCase, TruthInteraction, TruthPerson, TruthVisit } from './truth.ts';

export class TruthRecorder {
  readonly visits = new Map<string, TruthVisit>();
  readonly interactions: TruthInteraction[] = [];
  readonly people = new Map<string, TruthPerson>();
  readonly hardCases: Partial<Record<HardCase, number[]>> = {};
  readonly faults: GroundTruth['faults'] = [];

  constructor(
    readonly storeId: string,
    readonly seed: number,
    readonly start: number,
    readonly sampleHz: number,
  ) {}

  hardCase(kind: HardCase, t: number): void {
    const list = this.hardCases[kind] ?? [];
    list.push(Math.round(t));
    this.hardCases[kind] = list;
  }

  interaction(i: TruthInteraction): void {
    this.interactions.push({ ...i, t: Math.round(i.t) });
  }

  person(p: TruthPerson): void {
    this.people.set(p.personId, p);
  }

  /** A gate crossing of one person: their own time inside runs from their first 'in' to their last 'out'. */
  passed(personId: string, direction: 'in' | 'out', t: number): void {
    const p = this.people.get(personId);
    if (!p) return;
    if (direction === 'in') p.entered = Math.min(p.entered ?? Number.POSITIVE_INFINITY, Math.round(t));
    else p.exited = Math.max(p.exited ?? Number.NEGATIVE_INFINITY, Math.round(t));
  }

  sample(personId: string, t: number, x: number, y: number, wrists: number[]): void {
    const p = this.people.get(personId);
    if (!p) return;
    p.path.push([Math.round(t), r3(x), r3(y)]);
    p.wrists.push([Math.round(t), ...(wrists.map(r3) as [number, number, number, number, number, number])]);
  }

  /** Adds what a member carried out to their visit's receipt. */
  carriedOut(visit: string, skus: string[], t: number): void {
    const v = this.visits.get(visit);
    if (!v) return;
    v.exited = Math.max(v.exited, Math.round(t));
    if (v.staff) return;
    for (const sku of skus) {
      const line = v.receipt.find((l) => l.sku === sku);
      if (line) line.qty++;
      else v.receipt.push({ sku, qty: 1 });
    }
  }

  finish(end: number): GroundTruth {
    for (const v of this.visits.values()) v.receipt.sort(bySku);
    const interactions = [...this.interactions].sort((a, b) => a.t - b.t);
    for (const list of Object.values(this.hardCases)) list?.sort((a, b) => a - b);
    return {
      storeId: this.storeId,
      seed: this.seed,
      start: this.start,
      end: Math.round(end),
      sampleHz: this.sampleHz,
      visits: [...this.visits.values()].sort((a, b) => a.scanned - b.scanned),
      interactions,
      people: [...this.people.values()],
      hardCases: this.hardCases,
      faults: [...this.faults].sort((a, b) => a.from - b.from),
    };
  }
}

const bySku = (a: ItemCount, b: ItemCount) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
