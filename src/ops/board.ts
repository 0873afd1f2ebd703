/**
 * The ops board: inventory, visits and alerts kept together from one stream of engine decisions, plus the periodic
 * checks the dashboard asks for (alert rules against device health, reconciliation against plate readings). Pure
 * apart from what the caller passes in; the fastify plugin (plugin.ts) is its only I/O edge.
 */
import type { EngineEvent } from '../engine/events.ts';
import type { Store } from '../store/store.ts';
import {
  type Alert,
  AlertBook,
  type AlertRules,
  allConditions,
  DEFAULT_ALERT_RULES,
  type UnadmittedEntry,
} from './alerts.ts';
import { type DayFigures, dayFigures } from './day-figures.ts';
import { Inventory, type InventoryOptions, type PlateInventory } from './inventory.ts';
import { VisitBook } from './visits.ts';

export interface FixtureStock {
  fixtureId: string;
  kind: string;
  /** Units on hand over capacity, all plates and SKUs of the fixture. */
  fill: number;
  plates: (PlateInventory & { fill: number; openAlerts: number })[];
}

export interface BoardOptions {
  rules?: Partial<AlertRules>;
  inventory?: InventoryOptions;
}

/** A reading is used for reconciliation only when the plate has been still this long (ms of event time). */
const SETTLED_MS = 5_000;
/** …and its samples spread less than this (a hand resting on the plate is not a reading). */
const SETTLED_SPREAD_GRAMS = 6;
/** People who came in without an admission kept for the alerts (the latest; each alert is sticky once opened). */
const UNADMITTED_KEPT = 200;

export class OpsBoard {
  readonly inventory: Inventory;
  readonly visits = new VisitBook();
  readonly alerts = new AlertBook();
  readonly rules: AlertRules;
  private t = Number.NEGATIVE_INFINITY;
  private readonly unadmitted: UnadmittedEntry[] = [];
  private unadmittedSeen = 0;

  constructor(
    readonly store: Store,
    options: BoardOptions = {},
  ) {
    this.inventory = new Inventory(store, options.inventory);
    this.rules = { ...DEFAULT_ALERT_RULES, ...options.rules };
  }

  apply(event: EngineEvent): void {
    this.t = Math.max(this.t, event.t);
    this.inventory.apply(event);
    this.visits.apply(event);
    if (event.type !== 'shopper.unbound') return;
    this.unadmitted.push({ ...event.data, t: event.t, n: ++this.unadmittedSeen });
    if (this.unadmitted.length > UNADMITTED_KEPT) this.unadmitted.shift();
  }

  /** Newest event time seen (or passed to `evaluate`). */
  now(): number {
    return this.t;
  }

  /** Runs the alert rules now; returns the alerts that opened, changed or closed. */
  evaluate(devices: { silentPlates: readonly string[]; offlineCameras: readonly string[] }, t = this.t): Alert[] {
    this.t = Math.max(this.t, t);
    const at = Number.isFinite(this.t) ? this.t : 0;
    return this.alerts.sync(allConditions(this.store, this.inventory, devices, this.rules, this.unadmitted), at);
  }

  /**
   * Reconciles every settled plate against its recent samples `[t, grams]`; returns how many were checked.
   * `traces` maps plate ids to samples of the last few seconds.
   */
  reconcile(traces: Record<string, [number, number][]>, t: number): number {
    let checked = 0;
    for (const [plateId, samples] of Object.entries(traces)) {
      const plate = this.inventory.plate(plateId);
      if (!plate || samples.length === 0) continue;
      if (plate.lastMovement !== null && t - plate.lastMovement < SETTLED_MS) continue;
      const grams = samples.map((s) => s[1]).sort((a, b) => a - b);
      const spread = grams[Math.floor(grams.length * 0.9)]! - grams[Math.floor(grams.length * 0.1)]!;
      if (spread > SETTLED_SPREAD_GRAMS) continue;
      this.inventory.reconcile(plateId, grams[Math.floor(grams.length / 2)]!, t);
      checked += 1;
    }
    return checked;
  }

  figures(): DayFigures {
    const t = Number.isFinite(this.t) ? this.t : 0;
    return dayFigures(this.visits.list(), t, this.store.def);
  }

  stockByFixture(): FixtureStock[] {
    const open = new Map<string, number>();
    for (const a of this.alerts.list(['open', 'acknowledged'])) {
      if (a.subject.plateId) open.set(a.subject.plateId, (open.get(a.subject.plateId) ?? 0) + 1);
    }
    const byFixture = new Map<string, PlateInventory[]>();
    for (const p of this.inventory.allPlates()) byFixture.set(p.fixtureId, [...(byFixture.get(p.fixtureId) ?? []), p]);
    return this.store.def.fixtures.map((f) => {
      const plates = (byFixture.get(f.id) ?? []).map((p) => ({
        ...p,
        fill: fill(p),
        openAlerts: open.get(p.plateId) ?? 0,
      }));
      const units = plates.reduce((s, p) => s + p.stock.reduce((n, k) => n + (k.misplaced ? 0 : k.units), 0), 0);
      const capacity = plates.reduce((s, p) => s + p.stock.reduce((n, k) => n + k.capacity, 0), 0);
      return { fixtureId: f.id, kind: f.kind, fill: capacity > 0 ? units / capacity : 0, plates };
    });
  }
}

function fill(p: PlateInventory): number {
  const capacity = p.stock.reduce((n, k) => n + k.capacity, 0);
  const units = p.stock.reduce((n, k) => n + (k.misplaced ? 0 : k.units), 0);
  return capacity > 0 ? Math.min(1, units / capacity) : 0;
}
