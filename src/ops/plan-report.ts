/**
 * The planner's outputs: the printed summary (bill, coverage and predicted accuracy per variant) and a
 * self-contained HTML page (no scripts, no external files) with the comparison table, each variant's bill and its
 * coverage heat map drawn over the floor plan as inline SVG.
 */
import { minorDigits } from '../checkout/email.ts';
import type { Store } from '../store/store.ts';
import type { CoverageResult } from './coverage.ts';
import type { PlanResult, VariantPlan } from './plan.ts';

export function money(minor: number | null, currency: string): string {
  if (minor === null) return '–';
  const whole = minor / 10 ** minorDigits(currency);
  return `${currency} ${whole.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 0 })}`;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`);

function predictionCells(v: VariantPlan): string[] {
  const p = v.prediction;
  if (!p) return ['–', '–', '–', '–'];
  const interval = p.exactInterval ? ` (${pct(p.exactInterval[0])}–${pct(p.exactInterval[1])})` : '';
  return [
    `${pct(p.exactReceiptRate)}${interval}`,
    pct(p.reviewRate),
    pct(p.afterReviewExactRate),
    p.cpuSecondsPerStoreHour === null ? '–' : p.cpuSecondsPerStoreHour.toFixed(1),
  ];
}

const HEAD = [
  'variant',
  'cameras',
  'total',
  'per m²',
  'plates ≥2 views',
  'exact receipts',
  'visits reviewed',
  'after review',
  'CPU s / store-h',
];

function rows(plan: PlanResult): string[][] {
  return plan.variants.map((v) => [
    v.name,
    String(v.cameras),
    money(v.bom.total, v.bom.currency),
    money(v.bom.totalPerM2, v.bom.currency),
    pct(v.coverage.twoViewFraction),
    ...predictionCells(v),
  ]);
}

export function formatPlanText(plan: PlanResult): string {
  const out: string[] = [];
  const s = plan.store;
  out.push(
    `${s.name} (${s.id}): ${s.floorAreaM2.toFixed(1)} m², ${s.fixtures} fixtures, ${s.plates} plates, ${s.mode}`,
  );
  out.push(`prices: ${plan.prices.file} — ${plan.prices.estimate ? 'ESTIMATES' : 'given'} dated ${plan.prices.date}`);
  for (const v of plan.variants) {
    out.push('', `== ${v.name} — ${v.description}`);
    for (const l of v.bom.lines) {
      out.push(
        `  ${l.name.slice(0, 58).padEnd(58)} ${String(l.qty).padStart(5)} × ${money(l.unitPrice, v.bom.currency).padStart(10)} = ${money(l.total, v.bom.currency).padStart(12)}`,
      );
    }
    out.push(
      `  ${'total'.padEnd(58)} ${money(v.bom.total, v.bom.currency).padStart(33)}   (${money(v.bom.totalPerM2, v.bom.currency)} per m²)`,
    );
    out.push(
      `  coverage: ${pct(v.coverage.twoViewFraction)} of plates seen by ≥2 cameras, ${pct(v.coverage.oneViewFraction)} by ≥1`,
    );
    const p = v.prediction;
    if (p) {
      out.push(
        `  predicted: exact receipts ${predictionCells(v)[0]} over ${p.visits} visits, visits reviewed ${pct(p.reviewRate)}, after review ${pct(p.afterReviewExactRate)}, ${p.cpuSecondsPerStoreHour?.toFixed(1) ?? '–'} CPU s per store-hour`,
      );
    }
  }
  out.push('', table(HEAD, rows(plan)));
  out.push(
    '',
    `target ${pct(plan.target)} exact receipts → ${plan.recommendation.variant ?? 'no recommendation'}: ${plan.recommendation.reason}`,
  );
  for (const n of plan.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const HEAT_COLOURS = ['#d73027', '#fc8d59', '#fee08b', '#91cf60', '#1a9850'];
const heatColour = (n: number) => HEAT_COLOURS[Math.min(n, HEAT_COLOURS.length - 1)]!;

/** The floor plan with the heat map, fixtures, plates coloured by how many cameras see them, and the cameras. */
export function coverageSvg(store: Store, coverage: CoverageResult): string {
  const { heat } = coverage;
  const w = heat.cols * heat.cell;
  const h = heat.rows * heat.cell;
  const [ox, oy] = heat.origin;
  const Y = (y: number) => oy + h - (y - oy); // flip so store y points up
  const parts: string[] = [];
  heat.counts.forEach((n, i) => {
    if (n === null) return;
    const c = i % heat.cols;
    const r = Math.floor(i / heat.cols);
    const x = ox + c * heat.cell;
    const y = Y(oy + (r + 1) * heat.cell);
    parts.push(
      `<rect x="${x}" y="${y}" width="${heat.cell}" height="${heat.cell}" fill="${heatColour(n)}" opacity="0.55"><title>${n} cameras</title></rect>`,
    );
  });
  const outline = store.def.floor.outline.map(([x, y]) => `${x},${Y(y)}`).join(' ');
  parts.push(`<polygon points="${outline}" fill="none" stroke="#333" stroke-width="0.06"/>`);
  for (const f of store.def.fixtures) {
    const b = f.box;
    parts.push(
      `<rect x="${b.min[0]}" y="${Y(b.max[1])}" width="${b.max[0] - b.min[0]}" height="${b.max[1] - b.min[1]}" fill="#e6e1d6" stroke="#8a826f" stroke-width="0.02"/>`,
    );
  }
  const views = new Map(coverage.plates.map((p) => [p.plateId, p.cameras.length]));
  for (const [id, info] of store.plates) {
    const b = info.plate.box;
    const n = views.get(id) ?? 0;
    parts.push(
      `<rect x="${b.min[0]}" y="${Y(b.max[1])}" width="${b.max[0] - b.min[0]}" height="${b.max[1] - b.min[1]}" fill="${heatColour(n)}" stroke="#555" stroke-width="0.01"><title>${esc(id)}: ${n} cameras</title></rect>`,
    );
  }
  for (const g of store.def.gates) {
    const [[x0, y0], [x1, y1]] = g.line;
    parts.push(`<line x1="${x0}" y1="${Y(y0)}" x2="${x1}" y2="${Y(y1)}" stroke="#1f6feb" stroke-width="0.1"/>`);
  }
  for (const c of store.def.cameras) {
    const [x, y] = c.pose.position;
    parts.push(`<circle cx="${x}" cy="${Y(y)}" r="0.15" fill="#1d2330"><title>${esc(c.id)}</title></circle>`);
  }
  const pad = 0.5;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="coverage" viewBox="${ox - pad} ${oy - pad} ${w + 2 * pad} ${h + 2 * pad}" role="img" aria-label="camera coverage">${parts.join('')}</svg>`;
}

export function renderPlanHtml(plan: PlanResult, stores: ReadonlyMap<string, Store>): string {
  const head = HEAD.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows(plan)
    .map((r, i) => {
      const v = plan.variants[i]!;
      const mark = v.name === plan.recommendation.variant ? ' class="pick"' : '';
      return `<tr${mark}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  const sections = plan.variants.map((v) => variantSection(v, stores.get(v.slug))).join('');
  const legend = HEAT_COLOURS.map(
    (c, n) => `<span><i style="background:${c}"></i>${n}${n === HEAT_COLOURS.length - 1 ? '+' : ''}</span>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Store plan · ${esc(plan.store.name)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1200px;color:#1d2330;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{white-space:nowrap;border-bottom:1px solid #d9dde5;padding:.3rem .6rem;text-align:right}
td:first-child,th:first-child{text-align:left}tr.pick{background:#e7f5ea;font-weight:600}
.estimate{background:#fff4e5;border:1px solid #f0c36d;padding:.5rem .8rem;border-radius:6px}
.variants{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:1.2rem}
.variant{border:1px solid #d9dde5;border-radius:8px;padding:.8rem;overflow-x:auto}.variant td:first-child{white-space:normal}svg.coverage{width:100%;height:auto;background:#fafafa}
.legend span{margin-right:.8rem}.legend i{display:inline-block;width:.9rem;height:.9rem;margin-right:.25rem;vertical-align:middle}
small{color:#667085}
</style></head><body>
<h1>Store plan: ${esc(plan.store.name)}</h1>
<p>${esc(plan.store.id)} · ${plan.store.floorAreaM2.toFixed(1)} m² · ${plan.store.fixtures} fixtures · ${plan.store.plates} plates · ${esc(plan.store.mode)}</p>
<p class="estimate">Prices are ${plan.prices.estimate ? '<strong>estimates</strong>' : 'as given'} dated ${esc(plan.prices.date)} (${esc(plan.prices.currency)}), from ${esc(plan.prices.file)}. They are planning figures, not quotes.</p>
<h2>Variants side by side</h2>
<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>
<p><strong>Target ${pct(plan.target)} exact receipts:</strong> ${esc(plan.recommendation.variant ?? 'no recommendation')} — ${esc(plan.recommendation.reason)}</p>
<p class="legend">Cameras seeing each floor cell (at hand height) and each plate front: ${legend}</p>
<div class="variants">${sections}</div>
<h2>Notes</h2><ul>${plan.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}

function variantSection(v: VariantPlan, store: Store | undefined): string {
  const lines = v.bom.lines
    .map(
      (l) =>
        `<tr><td>${esc(l.name)}<br><small>${esc(l.basis)}</small></td><td>${l.qty}</td><td>${esc(money(l.unitPrice, v.bom.currency))}</td><td>${esc(money(l.total, v.bom.currency))}</td></tr>`,
    )
    .join('');
  const weak = v.coverage.weakPlates;
  return `<section class="variant"><h3>${esc(v.name)}</h3><p><small>${esc(v.description)}</small></p>
${store ? coverageSvg(store, v.coverage) : ''}
<p>${pct(v.coverage.twoViewFraction)} of plates seen by ≥2 cameras${weak.length > 0 ? ` (${weak.length} weak: ${esc(weak.slice(0, 8).join(', '))}${weak.length > 8 ? '…' : ''})` : ''}</p>
<table><thead><tr><th>item</th><th>qty</th><th>unit</th><th>total</th></tr></thead><tbody>${lines}
<tr><th>total</th><th></th><th></th><th>${esc(money(v.bom.total, v.bom.currency))}</th></tr>
<tr><td>per m²</td><td></td><td></td><td>${esc(money(v.bom.totalPerM2, v.bom.currency))}</td></tr></tbody></table></section>`;
}
