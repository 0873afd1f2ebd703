/**
 * The self-contained HTML report: built from the JSON result alone (so an old `--json` file renders again), one
 * section per store with the figures table and three inline SVG plots: accuracy against review rate over
 * thresholds, the shelf→cart latency distribution, and the reliability diagram. No scripts, no external files.
 */
import type { ReliabilityBin } from '../fusion/calibration.ts';
import { escapeHtml } from '../web/shell.ts';
import type { ReviewTradeoffPoint } from './calibration.ts';
import { formatCaseList } from './case-list.ts';
import { type BenchResult, formatRealData, formatValue, METRIC_ROWS, type StoreResult } from './report.ts';
import type { Histogram } from './stats.ts';

const W = 360;
const H = 240;
const PAD = { left: 48, right: 12, top: 24, bottom: 40 };
const OURS = '#1f77b4';
const BASE = '#d62728';

const sx = (x: number, lo: number, hi: number) => PAD.left + ((x - lo) / (hi - lo || 1)) * (W - PAD.left - PAD.right);
const sy = (y: number, lo: number, hi: number) =>
  H - PAD.bottom - ((y - lo) / (hi - lo || 1)) * (H - PAD.top - PAD.bottom);

function frame(title: string, xLabel: string, yLabel: string, yTicks: [number, string][], body: string): string {
  const axes = `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#333"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#333"/>`;
  const ticks = yTicks
    .map(([y, label]) => `<text x="${PAD.left - 4}" y="${y + 4}" font-size="10" text-anchor="end">${label}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">
<title>${escapeHtml(title)}</title>
<text x="${W / 2}" y="14" font-size="12" text-anchor="middle" font-weight="bold">${escapeHtml(title)}</text>
${axes}${ticks}${body}
<text x="${(W + PAD.left) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${escapeHtml(xLabel)}</text>
<text x="12" y="${(H - PAD.bottom + PAD.top) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(H - PAD.bottom + PAD.top) / 2})">${escapeHtml(yLabel)}</text>
</svg>`;
}

const unitTicks = (): [number, string][] => [0, 0.25, 0.5, 0.75, 1].map((v) => [sy(v, 0, 1), v.toFixed(2)]);
const xUnitTicks = (): string =>
  [0, 0.25, 0.5, 0.75, 1]
    .map((v) => `<text x="${sx(v, 0, 1)}" y="${H - PAD.bottom + 14}" font-size="10" text-anchor="middle">${v}</text>`)
    .join('');

/** Accuracy after review against the share of events sent to review, one point per confidence threshold. */
export function reviewCurveSvg(ours: readonly ReviewTradeoffPoint[], baseline: readonly ReviewTradeoffPoint[]): string {
  const path = ours.map(
    (p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.reviewRate, 0, 1).toFixed(1)},${sy(p.accuracy, 0, 1).toFixed(1)}`,
  );
  const dots = ours
    .map(
      (p) =>
        `<circle cx="${sx(p.reviewRate, 0, 1).toFixed(1)}" cy="${sy(p.accuracy, 0, 1).toFixed(1)}" r="2.5" fill="${OURS}"><title>threshold ${p.threshold}: review ${(100 * p.reviewRate).toFixed(1)} %, accuracy ${(100 * p.accuracy).toFixed(1)} %</title></circle>`,
    )
    .join('');
  const base = baseline[0];
  const baseDot = base
    ? `<rect x="${sx(base.reviewRate, 0, 1) - 4}" y="${sy(base.accuracy, 0, 1) - 4}" width="8" height="8" fill="${BASE}"><title>baseline: accuracy ${(100 * base.accuracy).toFixed(1)} %</title></rect>`
    : '';
  const body = `${xUnitTicks()}<path d="${path.join('')}" fill="none" stroke="${OURS}"/>${dots}${baseDot}`;
  return frame('Accuracy vs review rate', 'share of events reviewed', 'events right after review', unitTicks(), body);
}

/** Side-by-side bars of two histograms over the same bins. */
export function histogramSvg(title: string, ours: Histogram, baseline: Histogram): string {
  const n = ours.counts.length;
  const max = Math.max(1, ...ours.counts, ...baseline.counts);
  const slot = (W - PAD.left - PAD.right) / Math.max(1, n);
  const bars = ours.counts
    .map((c, i) => {
      const b = baseline.counts[i] ?? 0;
      const x = PAD.left + i * slot;
      const bar = (v: number, dx: number, color: string) =>
        `<rect x="${(x + dx).toFixed(1)}" y="${sy(v, 0, max).toFixed(1)}" width="${(slot * 0.4).toFixed(1)}" height="${(sy(0, 0, max) - sy(v, 0, max)).toFixed(1)}" fill="${color}"><title>${v}</title></rect>`;
      const edge = ours.edges[i] ?? 0;
      const label = edge >= 1000 ? `${edge / 1000}s` : `${edge}`;
      return `${bar(c, slot * 0.1, OURS)}${bar(b, slot * 0.5, BASE)}<text x="${x.toFixed(1)}" y="${H - PAD.bottom + 14}" font-size="9">${label}</text>`;
    })
    .join('');
  const ticks: [number, string][] = [0, max / 2, max].map((v) => [sy(v, 0, max), String(Math.round(v))]);
  return frame(title, 'latency (bin lower edge)', 'count', ticks, bars);
}

/** Reliability diagram: accuracy per confidence bin against the diagonal of perfect calibration. */
export function reliabilitySvg(bins: readonly ReliabilityBin[]): string {
  const total = Math.max(1, ...bins.map((b) => b.count));
  const diagonal = `<line x1="${sx(0, 0, 1)}" y1="${sy(0, 0, 1)}" x2="${sx(1, 0, 1)}" y2="${sy(1, 0, 1)}" stroke="#999" stroke-dasharray="4 3"/>`;
  const bars = bins
    .filter((b) => b.accuracy !== null)
    .map((b) => {
      const x0 = sx(b.lo, 0, 1);
      const x1 = sx(b.hi, 0, 1);
      const y = sy(b.accuracy!, 0, 1);
      const opacity = (0.25 + 0.75 * (b.count / total)).toFixed(2);
      return `<rect x="${(x0 + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${(x1 - x0 - 2).toFixed(1)}" height="${(sy(0, 0, 1) - y).toFixed(1)}" fill="${OURS}" fill-opacity="${opacity}"><title>${b.lo.toFixed(1)}–${b.hi.toFixed(1)}: ${b.count} decisions, ${(100 * b.accuracy!).toFixed(1)} % right</title></rect>`;
    })
    .join('');
  return frame(
    'Reliability (calibration)',
    'stated confidence',
    'share right',
    unitTicks(),
    `${xUnitTicks()}${bars}${diagonal}`,
  );
}

function figuresTable(s: StoreResult): string {
  const rows = METRIC_ROWS.map(
    ([label, pick, kind]) =>
      `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(formatValue(pick(s), kind))}</td><td>${escapeHtml(formatValue(pick(s.baseline), kind))}</td></tr>`,
  ).join('\n');
  return `<table><thead><tr><th>metric</th><th>walkout</th><th>baseline</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function storeSection(s: StoreResult): string {
  const notes = s.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<section>
<h2>${escapeHtml(s.store)}</h2>
<p>${escapeHtml(s.setup.file)} — ${s.setup.shoppers} shoppers, ${s.setup.minutes} minutes, ${escapeHtml(s.setup.difficulty)}</p>
<div class="row">${figuresTable(s)}
<div class="plots">
${reviewCurveSvg(s.calibration.thresholdCurve, s.baseline.calibration.thresholdCurve)}
${histogramSvg('Shelf → cart latency', s.distributions.shelfToCartMs, s.baseline.distributions.shelfToCartMs)}
${histogramSvg('Exit → receipt latency', s.distributions.exitToReceiptMs, s.baseline.distributions.exitToReceiptMs)}
${reliabilitySvg(s.calibration.bins)}
</div></div>
${notes ? `<ul class="notes">${notes}</ul>` : ''}
<details><summary>Review cases and wrong receipts (Walkout)</summary>
<pre>${escapeHtml(formatCaseList(s.cases, s.wrongBeforeReview, s.wrongAfterReview))}</pre></details>
</section>`;
}

export function renderHtmlReport(result: BenchResult): string {
  const sections = result.stores.map(storeSection);
  if (result.realData)
    sections.push(`<section><h2>Real data</h2><pre>${escapeHtml(formatRealData(result.realData))}</pre></section>`);
  const notes = result.notes;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Walkout benchmark — ${escapeHtml(result.suite)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;font-size:13px;margin-right:1.5rem}
td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}
th[scope=row]{text-align:left;font-weight:normal}
.row{display:flex;flex-wrap:wrap;align-items:flex-start}
.plots{display:flex;flex-wrap:wrap;gap:8px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
</style></head><body>
<h1>Walkout benchmark</h1>
<p>Suite <b>${escapeHtml(result.suite)}</b>, seed ${result.seed}.
<span class="legend"><span style="background:${OURS}"></span>walkout<span style="background:${BASE}"></span>baseline (weight + nearest shopper, no review)</span></p>
${sections.join('\n')}
${notes.length ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
