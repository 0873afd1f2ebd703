/**
 * Store alerts: what staff should look at on the shelves, derived from the inventory and device health, with ids and
 * a small state machine (open → acknowledged → done, or open → done). Pure: conditions are computed from views at an
 * event time, and the alert book turns the current set of conditions into alerts that open, change and close.
 */
import { fail, ok, type Result } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Inventory, PlateInventory } from './inventory.ts';
import { likelySkuForGrams } from './stock-math.ts';

export const ALERT_KINDS = [
  'low-stock',
  'misplaced',
  'weight-mismatch',
  'sensor-silent',
  'sensor-drift',
  'camera-offline',
  'shrink',
  'tailgating',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertState = 'open' | 'acknowledged' | 'done';

/** Allowed state changes; `done` is final (a condition that comes back later opens a new alert). */
export const ALERT_TRANSITIONS: Readonly<Record<AlertState, readonly AlertState[]>> = {
  open: ['acknowledged', 'done'],
  acknowledged: ['done'],
  done: [],
};

export interface AlertSubject {
  plateId?: string;
  fixtureId?: string;
  sku?: string;
  deviceId?: string;
  shelfEventId?: string;
}

/** Something wrong right now, as the rules see it. `key` names the thing, so the same problem keeps one alert. */
export interface AlertCondition {
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  subject: AlertSubject;
  message: string;
  detail: Record<string, number | string | null>;
  /** Sticky conditions (a shrink) are events, not states: they never clear by themselves. */
  sticky?: boolean;
}

export interface Alert extends AlertCondition {
  id: string;
  state: AlertState;
  opened: number;
  updated: number;
  acknowledged?: { by: string; t: number };
  done?: { by: string; t: number; auto: boolean };
}

export interface AlertRules {
  /** Low stock at or below this fraction of a SKU's capacity on a plate. */
  lowStockFraction: number;
  /** Per-SKU thresholds in units, overriding the fraction. */
  lowStockUnits: Record<string, number>;
  /** A drift this large (grams) that matches no product is a sensor problem. */
  driftGrams: number;
  /** A weight difference matches a product when its z-score is at most this. */
  matchZ: number;
}

export const DEFAULT_ALERT_RULES: AlertRules = Object.freeze({
  lowStockFraction: 0.2,
  lowStockUnits: {},
  driftGrams: 25,
  matchZ: 3,
});

/** Low stock per plate and SKU; misplaced items the engine knows about (a foreign SKU on a plate). */
export function stockConditions(plates: readonly PlateInventory[], rules: AlertRules): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const plate of plates) {
    for (const s of plate.stock) {
      const subject = { plateId: plate.plateId, fixtureId: plate.fixtureId, sku: s.sku };
      if (s.misplaced && s.units > 0) {
        out.push({
          key: `misplaced:${plate.plateId}:${s.sku}`,
          kind: 'misplaced',
          severity: 'warning',
          subject,
          message: `${s.units} × ${s.sku} put back on plate ${plate.plateId}, where it does not belong`,
          detail: { units: s.units, source: 'decision' },
        });
        continue;
      }
      if (s.misplaced) continue;
      const threshold = rules.lowStockUnits[s.sku] ?? Math.floor(rules.lowStockFraction * s.capacity);
      if (s.units > threshold) continue;
      out.push({
        key: `low-stock:${plate.plateId}:${s.sku}`,
        kind: 'low-stock',
        severity: s.units === 0 ? 'critical' : 'warning',
        subject,
        message:
          s.units === 0
            ? `${s.sku} is out on plate ${plate.plateId}`
            : `${s.sku} low on plate ${plate.plateId}: ${s.units} of ${s.capacity}`,
        detail: { units: s.units, capacity: s.capacity, threshold, sd: round(s.sd, 2) },
      });
    }
  }
  return out;
}

/**
 * The plate's weight against its units. A difference the size of some product's units is an item on the wrong
 * plate (named); a difference that matches nothing and keeps growing is the sensor drifting.
 */
export function weightConditions(store: Store, plates: readonly PlateInventory[], rules: AlertRules): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const plate of plates) {
    // A plate with a shelf event in review has counts a reviewer is about to correct: no weight verdict yet.
    if (plate.inReview > 0) continue;
    const own = store.plates.get(plate.plateId)?.plate.skus ?? [];
    for (const [source, grams] of [
      ['events', plate.eventResidualGrams],
      ['reading', plate.driftGrams],
    ] as const) {
      if (grams === null || Math.abs(grams) <= Math.max(plate.toleranceGrams, 1)) continue;
      const subject = { plateId: plate.plateId, fixtureId: plate.fixtureId };
      // Weight gone is the plate's own products missing; weight added may be anything, put back on the wrong plate.
      const match = likelySkuForGrams(store, grams, grams < 0 ? { only: own } : {});
      const matches = match !== null && match.z <= rules.matchZ;
      if (matches && grams > 0 && !own.includes(match.sku)) {
        out.push({
          key: `misplaced:${plate.plateId}:${match.sku}`,
          kind: 'misplaced',
          severity: 'warning',
          subject: { ...subject, sku: match.sku },
          message: `plate ${plate.plateId} holds ${round(grams, 0)} g it should not: most likely ${match.qty} × ${match.sku}`,
          detail: { grams: round(grams, 1), units: match.qty, z: round(match.z, 2), source },
        });
      } else if (matches) {
        out.push({
          key: `weight-mismatch:${plate.plateId}`,
          kind: 'weight-mismatch',
          severity: 'warning',
          subject: { ...subject, sku: match.sku },
          message: `plate ${plate.plateId} weighs ${round(Math.abs(grams), 0)} g ${grams > 0 ? 'more' : 'less'} than its count: about ${match.qty} × ${match.sku} ${grams > 0 ? 'extra' : 'missing'}`,
          detail: { grams: round(grams, 1), units: match.qty, z: round(match.z, 2), source },
        });
      } else if (source === 'reading' && Math.abs(grams) >= rules.driftGrams) {
        out.push({
          key: `sensor-drift:${plate.plateId}`,
          kind: 'sensor-drift',
          severity: 'warning',
          subject: { ...subject, deviceId: plate.plateId },
          message: `load cell under plate ${plate.plateId} drifted ${round(grams, 0)} g with no item to explain it`,
          detail: { grams: round(grams, 1), tolerance: round(plate.toleranceGrams, 1) },
        });
      }
    }
  }
  return dedupe(out);
}

/** Silent plates and offline cameras, as the engine's snapshot reports them. */
export function deviceConditions(
  store: Store,
  status: { silentPlates: readonly string[]; offlineCameras: readonly string[] },
): AlertCondition[] {
  const plates = status.silentPlates.map(
    (id): AlertCondition => ({
      key: `sensor-silent:${id}`,
      kind: 'sensor-silent',
      severity: 'critical',
      subject: { deviceId: id, plateId: id, fixtureId: store.plates.get(id)?.fixture.id },
      message: `plate ${id} stopped reporting: picks there cannot be weighed`,
      detail: {},
    }),
  );
  const cameras = status.offlineCameras.map(
    (id): AlertCondition => ({
      key: `camera-offline:${id}`,
      kind: 'camera-offline',
      severity: 'warning',
      subject: { deviceId: id },
      message: `camera ${id} is offline: attribution near it relies on the other cameras`,
      detail: {},
    }),
  );
  return [...plates, ...cameras];
}

/**
 * Weight that left a shelf with nobody to charge and no staff inside: one alert per shelf event, once decided (a
 * case in review may yet charge someone).
 */
export function shrinkConditions(inventory: Inventory, limit = 200): AlertCondition[] {
  const decided = inventory.recentMovements({ kind: 'shrink', limit }).filter((m) => m.state !== 'in-review');
  return decided.map((m) => ({
    key: `shrink:${m.shelfEventId}`,
    kind: 'shrink',
    severity: 'warning',
    subject: { plateId: m.plateId, shelfEventId: m.shelfEventId, sku: m.items[0]?.sku },
    message: `${m.items.map((i) => `${i.qty} × ${i.sku}`).join(', ')} left plate ${m.plateId} and nobody was charged`,
    detail: { grams: round(m.grams, 1), t: m.t },
    sticky: true,
  }));
}

/** Someone who came in through a gate with no admission waiting there (`shopper.unbound`). */
export interface UnadmittedEntry {
  /** Counts them in log order, so two people through one gate at one instant keep two alerts. */
  n: number;
  gateId: string;
  t: number;
  /** Null in a store without cameras: only the gate's beam counted them. */
  trackId: string | null;
}

/**
 * One alert per person who came in without an admission: a tailgater is taking items nobody is charged for. Without
 * cameras it matters twice: the next exit cannot tell them from a shopper, and may close that shopper's visit early.
 */
export function tailgatingConditions(entries: readonly UnadmittedEntry[]): AlertCondition[] {
  return entries.map((e) => ({
    key: `tailgating:${e.gateId}:${e.t}:${e.n}`,
    kind: 'tailgating',
    severity: 'warning',
    subject: { deviceId: e.gateId },
    message:
      e.trackId === null
        ? `someone came in at ${e.gateId} without scanning; with no cameras, an exit may now close a shopper's visit early`
        : `someone came in at ${e.gateId} without scanning (track ${e.trackId}): nobody is charged for what they take`,
    detail: { t: e.t, trackId: e.trackId },
    sticky: true,
  }));
}

/** Every condition the rules find now. */
export function allConditions(
  store: Store,
  inventory: Inventory,
  devices: { silentPlates: readonly string[]; offlineCameras: readonly string[] },
  rules: AlertRules = DEFAULT_ALERT_RULES,
  unadmitted: readonly UnadmittedEntry[] = [],
): AlertCondition[] {
  const plates = inventory.allPlates();
  return dedupe([
    ...stockConditions(plates, rules),
    ...weightConditions(store, plates, rules),
    ...deviceConditions(store, devices),
    ...shrinkConditions(inventory),
    ...tailgatingConditions(unadmitted),
  ]);
}

function dedupe(conditions: AlertCondition[]): AlertCondition[] {
  const seen = new Map<string, AlertCondition>();
  for (const c of conditions) if (!seen.has(c.key)) seen.set(c.key, c);
  return [...seen.values()];
}

export type AlertActionCode = 'NO_SUCH_ALERT' | 'BAD_TRANSITION';

/**
 * The alerts and their lifecycle. `sync` takes the complete current set of conditions: a new key opens an alert, a
 * changed one updates it, a missing one is done automatically. An alert staff marked done is not reopened while its
 * condition lasts (one click means "handled"); it opens again only after the condition cleared and came back.
 */
export class AlertBook {
  private readonly alerts = new Map<string, Alert>();
  /** Condition key → id of its latest alert. */
  private readonly byKey = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  sync(conditions: readonly AlertCondition[], t: number): Alert[] {
    const changed: Alert[] = [];
    const present = new Set(conditions.map((c) => c.key));
    for (const c of conditions) {
      const current = this.latest(c.key);
      if (current && current.state !== 'done') {
        if (current.severity !== c.severity || current.message !== c.message) {
          Object.assign(current, { severity: c.severity, message: c.message, detail: c.detail, updated: t });
          changed.push(current);
        }
        continue;
      }
      if (current) continue; // done and still present (or sticky and seen): stays done.
      changed.push(this.open(c, t));
    }
    for (const [key, id] of this.byKey) {
      const alert = this.alerts.get(id);
      if (!alert || alert.sticky || present.has(key)) continue;
      if (alert.state !== 'done') {
        this.close(alert, 'system', t, true);
        changed.push(alert);
      }
      // The condition cleared: if it comes back it is a new alert.
      this.byKey.delete(key);
    }
    return changed;
  }

  acknowledge(id: string, by: string, t: number): Result<Alert, AlertActionCode> {
    return this.transition(id, 'acknowledged', by, t);
  }

  done(id: string, by: string, t: number): Result<Alert, AlertActionCode> {
    return this.transition(id, 'done', by, t);
  }

  get(id: string): Alert | undefined {
    return this.alerts.get(id);
  }

  /** Alerts newest first, optionally only those in some states. */
  list(states?: readonly AlertState[]): Alert[] {
    return [...this.alerts.values()]
      .filter((a) => !states || states.includes(a.state))
      .sort((a, b) => b.updated - a.updated || b.id.localeCompare(a.id));
  }

  private transition(id: string, to: AlertState, by: string, t: number): Result<Alert, AlertActionCode> {
    const alert = this.alerts.get(id);
    if (!alert) return fail('NO_SUCH_ALERT', `no alert ${id}`);
    if (!ALERT_TRANSITIONS[alert.state].includes(to)) {
      return fail('BAD_TRANSITION', `alert ${id} is ${alert.state}; it cannot become ${to}`);
    }
    if (to === 'acknowledged') {
      alert.state = 'acknowledged';
      alert.acknowledged = { by, t };
      alert.updated = t;
    } else this.close(alert, by, t, false);
    return ok(alert);
  }

  private close(alert: Alert, by: string, t: number, auto: boolean): void {
    alert.state = 'done';
    alert.done = { by, t, auto };
    alert.updated = t;
  }

  private open(c: AlertCondition, t: number): Alert {
    const n = (this.counters.get(c.key) ?? 0) + 1;
    this.counters.set(c.key, n);
    // Ids are readable, stable for a replay, and safe as an MQTT topic level (no '/', '+' or '#').
    const id = `${c.key}:${n}`;
    const alert: Alert = { ...c, id, state: 'open', opened: t, updated: t };
    this.alerts.set(id, alert);
    this.byKey.set(c.key, id);
    return alert;
  }

  private latest(key: string): Alert | undefined {
    const id = this.byKey.get(key);
    return id === undefined ? undefined : this.alerts.get(id);
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
