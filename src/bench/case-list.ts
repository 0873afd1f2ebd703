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

/** An answer in one canonical line: each charged session with its items, or "nobody" with what moved. */
export function answerText(a: Pick<ReviewAlternative, 'sessionId' | 'items' | 'with'>): string {
  const items = (xs: readonly { sku: string; qty: number }[]) =>
    [...xs]
      .sort((x, y) => x.sku.localeCompare(y.sku))
      .map((i) => `${i.qty}×${i.sku}`)
      .join(' ');
  const shares = charges(a).sort((x, y) => x.sessionId.localeCompare(y.sessionId));
  if (shares.length === 0) return `nobody: ${items(a.items) || 'nothing'}`;
  return shares.map((s) => `${s.sessionId}: ${items(s.items)}`).join(' + ');
}

export function summarizeCase(c: ReviewCase, truth: ReviewAlternative): CaseSummary {
  const top = c.alternatives[0];
  const topText = top ? answerText(top) : 'none';
  const truthText = answerText(truth);
  const { caseId, shelfEventId } = c;
  const confidence = c.confidence ?? null;
  return { caseId, shelfEventId, confidence, top: topText, truth: truthText, topRight: topText === truthText };
}

/** The text `--cases` prints under a store's table: its review cases, then its wrong receipts before and after. */
export function formatCaseList(cases: readonly CaseSummary[], before: WrongCauses, after: WrongCauses): string {
  const out = [`review cases (${cases.length}): confidence, event, top answer | truth`];
  for (const c of cases) {
    const mark = c.topRight ? 'top right' : 'top WRONG';
    out.push(`  ${c.confidence?.toFixed(2) ?? '  - '} ${c.shelfEventId}  ${c.top}  |  ${c.truth}  (${mark})`);
  }
  for (const [label, wrong] of [
    ['before review', before],
    ['after review', after],
  ] as const) {
    out.push(`wrong receipts ${label} (${wrong.visits.length}): visit, cause, units charged − taken`);
    for (const v of wrong.visits) {
      const off = Object.entries(v.off).map(([sku, n]) => `${n > 0 ? '+' : ''}${n}×${sku}`);
      out.push(`  ${v.visit}  ${v.cause}  ${off.join(' ')}`);
    }
  }
  return out.join('\n');
}
