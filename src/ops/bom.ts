/**
 * The bill of materials of a store definition: how many of each hardware item it needs, at the price book's unit
 * prices, with a total and a total per square metre of floor (the outline polygon's area). Pure.
 */

import { polygonArea } from '../store/geometry.ts';
import type { Store } from '../store/store.ts';
import type { PriceBook, PriceKey } from './prices.ts';

export interface BomLine {
  key: PriceKey;
  name: string;
  unit: string;
  qty: number;
  /** Minor units (cents) per unit and for the line. */
  unitPrice: number;
  total: number;
  /** How the quantity was worked out. */
  basis: string;
}

export interface Bom {
  currency: string;
  pricesDate: string;
  estimate: boolean;
  lines: BomLine[];
  /** Minor units. */
  total: number;
  floorAreaM2: number;
  /** Minor units per m²; null for a zero-area outline. */
  totalPerM2: number | null;
}

export interface BomCounts {
  plates: number;
  controllers: number;
  cameras: number;
  edgeBoxes: number;
  gates: number;
  drops: number;
  switches: number;
}

/** Quantities only: what the store needs, by the book's sizing rules. */
export function bomCounts(store: Store, rules: PriceBook['rules']): BomCounts {
  const plates = store.plates.size;
  // A controller's cables stay within one fixture, so each fixture rounds up on its own.
  const controllers = store.def.fixtures.reduce((n, f) => {
    const onFixture = f.shelves.reduce((k, s) => k + s.plates.length, 0);
    return n + Math.ceil(onFixture / rules.platesPerController);
  }, 0);
  const cameras = store.def.cameras.length;
  const edgeBoxes = Math.max(1, Math.ceil(cameras / rules.camerasPerEdgeBox));
  const gates = store.def.gates.length;
  // Every camera, controller, gate and edge box takes one switch port and one cable run.
  const drops = cameras + controllers + gates + edgeBoxes;
  const switches = Math.max(1, Math.ceil(drops / rules.portsPerSwitch));
  return { plates, controllers, cameras, edgeBoxes, gates, drops, switches };
}

export function computeBom(store: Store, book: PriceBook): Bom {
  const c = bomCounts(store, book.rules);
  const r = book.rules;
  const quantities: [PriceKey, number, string][] = [
    ['plate', c.plates, 'one per plate in the store definition'],
    ['shelfController', c.controllers, `${r.platesPerController} plates per controller, per fixture`],
    ['camera', c.cameras, 'one per camera in the store definition'],
    ['edgeBox', c.edgeBoxes, `${r.camerasPerEdgeBox} cameras per box, at least one`],
    ['switch', c.switches, `${c.drops} ports at ${r.portsPerSwitch} per switch`],
    ['networkDrop', c.drops, 'cameras + controllers + gates + edge boxes'],
    ['gate', c.gates, 'one per gate in the store definition'],
  ];
  const lines = quantities.map(([key, qty, basis]): BomLine => {
    const item = book.items[key];
    const unitPrice = Math.round(item.price * 100);
    return { key, name: item.name, unit: item.unit, qty, unitPrice, total: qty * unitPrice, basis };
  });
  const total = lines.reduce((s, l) => s + l.total, 0);
  const floorAreaM2 = polygonArea(store.def.floor.outline);
  return {
    currency: book.currency,
    pricesDate: book.date,
    estimate: book.estimate,
    lines,
    total,
    floorAreaM2,
    totalPerM2: floorAreaM2 > 0 ? Math.round(total / floorAreaM2) : null,
  };
}
