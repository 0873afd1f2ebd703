// The weight trace of one plate around a shelf event, as a small SVG line chart with the event's moments marked.
import { svg } from './common.js';

const W = 320;
const H = 130;
const M = { left: 46, right: 8, top: 18, bottom: 20 };

/**
 * `points`: [t, grams] pairs; `window`: [t0, t1]; `at`: the moment of change (x = 0 s);
 * `marks`: {tStart, tChange, tSettled} or null; `title`: the chart's heading.
 */
export function weightChart({ points, window, at, marks, title }) {
  const [t0, t1] = window;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  chart.append(svg('text', { class: 'title', x: M.left, y: 12 }, title));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (t) => M.left + ((t - t0) / (t1 - t0)) * plotW;
  chart.append(
    svg('line', { class: 'axis', x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom }),
    svg('line', { class: 'axis', x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom }),
  );
  for (const s of [-5, -2.5, 0, 2.5, 5]) {
    const tx = x(at + s * 1000);
    if (tx < M.left - 0.5 || tx > W - M.right + 0.5) continue;
    chart.append(
      svg('text', { x: tx, y: H - 6, 'text-anchor': 'middle' }, s === 0 ? '0 s' : `${s > 0 ? '+' : ''}${s}`),
    );
  }
  if (!points.length) {
    chart.append(svg('text', { x: M.left + plotW / 2, y: M.top + plotH / 2, 'text-anchor': 'middle' }, 'no readings'));
    return chart;
  }
  const grams = points.map((p) => p[1]);
  let lo = Math.min(...grams);
  let hi = Math.max(...grams);
  // Keep noise looking like noise: never zoom in below 20 g of range.
  if (hi - lo < 20) {
    const mid = (hi + lo) / 2;
    lo = mid - 10;
    hi = mid + 10;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const y = (g) => M.top + (1 - (g - lo) / (hi - lo)) * plotH;
  chart.append(
    svg('text', { x: M.left - 4, y: M.top + 8, 'text-anchor': 'end' }, `${Math.round(hi)} g`),
    svg('text', { x: M.left - 4, y: H - M.bottom, 'text-anchor': 'end' }, `${Math.round(lo)} g`),
  );
  if (marks) {
    for (const [key, t] of Object.entries(marks)) {
      if (t < t0 || t > t1) continue;
      const cls = key === 'tChange' ? 'mark change' : 'mark';
      chart.append(svg('line', { class: cls, x1: x(t), y1: M.top, x2: x(t), y2: H - M.bottom }));
    }
  }
  const line = points
    .filter(([t]) => t >= t0 && t <= t1)
    .map(([t, g]) => `${x(t).toFixed(1)},${y(g).toFixed(1)}`)
    .join(' ');
  chart.append(svg('polyline', { class: 'trace', points: line }));
  return chart;
}
