/**
 * The day's figures on the ops dashboard: visits, revenue, average basket, how often a visit needed a review and how
 * long reviews took, and receipts still waiting. "Today" is the store's calendar day (its time zone) at the newest
 * event time, never the wall clock, so a replay shows the figures of the day it replays.
 */
import type { VisitRecord } from './visits.ts';

export interface DayFigures {
  /** YYYY-MM-DD in the store's time zone. */
  day: string;
  visits: number;
  staffVisits: number;
  inside: number;
  receipts: number;
  /** Minor units. */
  revenue: number;
  averageBasket: number | null;
  averageItems: number | null;
  /** Visits with at least one review case / visits. */
  reviewRate: number | null;
  reviewsOpened: number;
  reviewsResolved: number;
  resolveMedianMs: number | null;
  resolveMeanMs: number | null;
  /** Visits that left and wait on a review for their receipt (any day). */
  receiptsPending: number;
  currency: string;
}

/** The calendar day of `t` in `timeZone`, as YYYY-MM-DD. */
export function dayOf(t: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(t))
    .reduce<Record<string, string>>((acc, p) => {
      acc[p.type] = p.value;
      return acc;
    }, {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function dayFigures(
  visits: readonly VisitRecord[],
  now: number,
  store: { timezone: string; currency: string },
): DayFigures {
  const day = dayOf(now, store.timezone);
  const today = (t: number) => dayOf(t, store.timezone) === day;
  const shoppers = visits.filter((v) => !v.staff);
  const visitsToday = shoppers.filter((v) => today(v.opened));
  const receipts = shoppers.flatMap((v) =>
    v.receipt && v.receipt.finalAt !== null && today(v.receipt.finalAt) ? [v.receipt] : [],
  );
  const revenue = receipts.reduce((s, r) => s + r.total, 0);
  const items = receipts.reduce((s, r) => s + r.lines.reduce((n, l) => n + l.qty, 0), 0);
  const reviewed = visitsToday.filter((v) => v.reviews.length > 0).length;
  // One case can touch several visits: count each case once.
  const cases = new Map<string, { opened: number; resolved: number | null }>();
  for (const v of visits) for (const r of v.reviews) cases.set(r.caseId, { opened: r.opened, resolved: r.resolved });
  const opened = [...cases.values()].filter((c) => today(c.opened));
  const durations = [...cases.values()]
    .filter((c): c is { opened: number; resolved: number } => c.resolved !== null && today(c.resolved))
    .map((c) => c.resolved - c.opened)
    .sort((a, b) => a - b);
  return {
    day,
    visits: visitsToday.length,
    staffVisits: visits.filter((v) => v.staff && today(v.opened)).length,
    inside: shoppers.filter((v) => v.entered !== null && v.closed === null).length,
    receipts: receipts.length,
    revenue,
    averageBasket: receipts.length > 0 ? revenue / receipts.length : null,
    averageItems: receipts.length > 0 ? items / receipts.length : null,
    reviewRate: visitsToday.length > 0 ? reviewed / visitsToday.length : null,
    reviewsOpened: opened.length,
    reviewsResolved: durations.length,
    resolveMedianMs: median(durations),
    resolveMeanMs: durations.length > 0 ? durations.reduce((a, b) => a + b, 0) / durations.length : null,
    receiptsPending: shoppers.filter((v) => v.closed?.reason === 'exit' && v.receipt === null).length,
    currency: store.currency,
  };
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
