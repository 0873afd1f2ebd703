/**
 * The benchmark's lists for tracing (`walkout bench --cases`): each review case with the engine's top answer beside
 * the truth, and each wrong receipt with its cause. The figures say how often; these say which ones. Pure.
 */
import { charges, type ReviewAlternative, type ReviewCase } from '../review/types.ts';
import type { WrongCauses } from './wrong-causes.ts';

export interface CaseSummary {
  caseId: string;
  shelfEventId: string;
  /** The decision's confidence when the case opened; null where fusion gave none. */
  confidence: number | null;
  /** The engine's likeliest answer and the truth (the oracle's answer), as `session: n×sku` per charge. */
  top: string;
  truth: string;
  topRight: boolean;
}

type Answer = Pick<ReviewAlternative, 'sessionId' | 'items' | 'with'>;

/** Entries in order of their key (code-unit order, as `Array.prototype.sort` without a comparator). */
const byKey = ([x]: readonly [string, unknown], [y]: readonly [string, unknown]) => (x < y ? -1 : x > y ? 1 : 0);

/** Units per SKU summed, zeros dropped, in SKU order: `2×cola 1×gum`. */
function unitsText(items: readonly { sku: string; qty: number }[]): string {
  const net = new Map<string, number>();
  for (const i of items) net.set(i.sku, (net.get(i.sku) ?? 0) + i.qty);
  return [...net]
    .filter(([, qty]) => qty !== 0)
    .sort(byKey)
    .map(([sku, qty]) => `${qty}×${sku}`)
    .join(' ');
}

/** What an answer does to receipts, in one canonical line: each session charged and its units, or "nobody". */
function receiptText(a: Answer): string {
  const bySession = new Map<string, { sku: string; qty: number }[]>();
  for (const share of charges(a))
    bySession.set(share.sessionId, [...(bySession.get(share.sessionId) ?? []), ...share.items]);
  const lines = [...bySession]
    .map(([sessionId, items]) => [sessionId, unitsText(items)] as const)
    .filter(([, units]) => units !== '')
    .sort(byKey);
  return lines.length === 0 ? 'nobody' : lines.map(([sessionId, units]) => `${sessionId}: ${units}`).join(' + ');
}

/** An answer as listed: its receipt line, and for "nobody" what moved on the shelf. */
export function answerText(a: Answer): string {
  const receipt = receiptText(a);
  return receipt === 'nobody' ? `nobody: ${unitsText(a.items) || 'nothing'}` : receipt;
}

/**
 * `topRight` compares receipts only, as the benchmark's "review cases: top right" count does: an answer that charges
 * nobody is right whatever it says moved.
 */
export function summarizeCase(c: ReviewCase, truth: ReviewAlternative): CaseSummary {
  const top = c.alternatives[0];
  const { caseId, shelfEventId } = c;
  const confidence = c.confidence ?? null;
  const topRight = top !== undefined && receiptText(top) === receiptText(truth);
  return { caseId, shelfEventId, confidence, top: top ? answerText(top) : 'none', truth: answerText(truth), topRight };
}

/** The text `--cases` prints under a store's table: its review cases, then its wrong receipts before and after. */
export function formatCaseList(cases: readonly CaseSummary[], before: WrongCauses, after: WrongCauses): string {
  const out = [`Walkout's review cases (${cases.length}): confidence, event, top answer | truth`];
  for (const c of cases) {
    const mark = c.topRight ? 'top right' : 'top WRONG';
    out.push(`  ${c.confidence?.toFixed(2) ?? '  - '} ${c.shelfEventId}  ${c.top}  |  ${c.truth}  (${mark})`);
  }
  for (const [label, wrong] of [
    ['before review', before],
    ['after review', after],
  ] as const) {
    out.push(`Walkout's wrong receipts ${label} (${wrong.visits.length}): visit, cause, units charged − taken`);
    for (const v of wrong.visits) {
      const off = Object.entries(v.off).map(([sku, n]) => `${n > 0 ? '+' : ''}${n}×${sku}`);
      out.push(`  ${v.visit}  ${v.cause}  ${off.join(' ')}`);
    }
  }
  return out.join('\n');
}
