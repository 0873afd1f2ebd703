// The review console: the queue of cases (those holding a receipt back first), each with its weight trace, a small
// map of who stood where, the candidates and items with probabilities, and one-click decisions.

import { weightChart } from './chart.js';
import {
  api,
  clock,
  connectLive,
  duration,
  h,
  itemsText,
  percent,
  productIndex,
  sessionColour,
  setClockZone,
  setReviewBadge,
  svg,
} from './common.js';
import { createFloor, viewAround } from './floor.js';

const layout = await api('/api/staff/store');
const products = productIndex(layout);
setClockZone(layout.timezone);
const accounts = new Map();
let lastSnapshot = null;
/** The small maps on screen, recoloured as stock changes. */
let maps = [];
let shown = '';
let reloading = null;
/** Event time by which the shown weight traces are complete; until then one more fetch fills their ends in. */
let tracesCompleteAt = null;

const who = (sessionId) => (sessionId ? (accounts.get(sessionId) ?? sessionId) : 'nobody');

async function reload() {
  // Coalesce bursts of events into one request.
  reloading ??= (async () => {
    try {
      render(await api('/api/staff/reviews'));
    } finally {
      reloading = null;
    }
  })();
  return reloading;
}

function render(data) {
  for (const s of data.sessions) accounts.set(s.sessionId, s.account);
  for (const v of data.queue) for (const c of v.candidates) if (c.account) accounts.set(c.sessionId, c.account);
  const queue = document.getElementById('queue');
  maps = [];
  queue.replaceChildren(...data.queue.map((v) => caseCard(v, data)));
  if (!data.queue.length) queue.append(h('div', { class: 'empty-state panel' }, 'No cases waiting. Nice.'));
  shown = data.queue.map((v) => v.reviewCase.caseId).join(',');
  const ends = data.queue.map((v) => v.window[1]).filter((end) => end > data.now);
  tracesCompleteAt = ends.length ? Math.max(...ends) : null;
  const holding = data.queue.filter((v) => v.waitingSessions.length).length;
  document.getElementById('queue-summary').textContent =
    `${data.queue.length} open${holding ? ` · ${holding} holding a receipt` : ''}`;
  setReviewBadge(data.queue.length);
  document.getElementById('resolved').replaceChildren(...data.resolved.map(resolvedLine));
  tickOpenTimes(data.now);
}

function resolvedLine(r) {
  const took = r.tookMs === null ? '' : ` · decided ${duration(r.tookMs)} after it opened`;
  const shared = (r.choice.with ?? []).map((w) => `; ${who(w.sessionId)}: ${itemsText(w.items, products)}`).join('');
  const what = r.choice.sessionId
    ? `charge ${who(r.choice.sessionId)}: ${itemsText(r.choice.items, products)}${shared}`
    : 'nobody';
  return h(
    'li',
    { 'data-case-id': r.caseId },
    h('time', { class: 'muted' }, clock(r.t)),
    ` Case ${r.caseId} → ${what} · by ${r.reviewer}${took}`,
  );
}

function tickOpenTimes(now) {
  for (const el of document.querySelectorAll('[data-opened]')) {
    el.textContent = duration(now - Number(el.dataset.opened));
  }
}

function caseCard(v, data) {
  const c = v.reviewCase;
  const card = h(
    'article',
    { class: `case${v.waitingSessions.length ? ' holds' : ''}`, 'data-case-id': c.caseId },
    h(
      'div',
      { class: 'case-head' },
      h('span', { class: 'title' }, `Case ${c.caseId}`),
      v.waitingSessions.length
        ? h('span', { class: 'tag holds' }, `receipt waiting: ${v.waitingSessions.map(who).join(', ')}`)
        : null,
      h('span', { class: 'tag' }, c.reason),
      h(
        'span',
        { class: 'muted' },
        `at ${clock(v.at)} · open `,
        h('span', { 'data-opened': c.opened }, duration(v.openForMs)),
      ),
    ),
    h(
      'div',
      { class: 'case-body' },
      h('div', { class: 'evidence' }, h('h3', {}, 'Weight'), ...charts(v)),
      h('div', { class: 'evidence' }, h('h3', {}, 'Who was there'), miniMap(v), candidateList(v)),
      h('div', { class: 'decide' }, h('h3', {}, 'Decide'), decisions(v, data)),
      h('p', { class: 'error', role: 'alert', hidden: true }),
    ),
  );
  return card;
}

function charts(v) {
  const ev = v.shelfEvent;
  if (!v.plateIds.length) return [h('p', { class: 'muted' }, 'No plate is known for this case.')];
  const marks = ev ? { tStart: ev.tStart, tChange: ev.tChange, tSettled: ev.tSettled } : { tChange: v.at };
  const out = v.plateIds.map((plateId) => {
    const taken = ev?.gramsByPlate[plateId];
    const grams = taken === undefined ? '' : ` · ${taken >= 0 ? '−' : '+'}${Math.abs(Math.round(taken))} g`;
    return weightChart({
      points: v.traces[plateId] ?? [],
      window: v.window,
      at: v.at,
      marks,
      title: `${plateId}${grams}`,
    });
  });
  if (ev?.flags.length) out.push(h('p', { class: 'muted' }, `flags: ${ev.flags.join(', ')}`));
  return out;
}

function miniMap(v) {
  const plateIds = v.plateIds;
  const el = svg('svg', { class: 'floor mini-map', role: 'img', 'aria-label': 'Who stood where at the event' });
  const map = createFloor(el, layout, { view: viewAround(layout, plateIds), products });
  if (lastSnapshot) map.setSnapshot(lastSnapshot);
  map.highlight(plateIds);
  const labels = new Map(
    v.candidates.filter((c) => c.sessionId).map((c) => [c.sessionId, `${who(c.sessionId)} ${percent(c.probability)}`]),
  );
  maps.push(map);
  map.setTracks(v.scene, { labels });
  return el;
}

function candidateList(v) {
  return h(
    'ul',
    { class: 'candidates' },
    v.candidates.map((c) =>
      h(
        'li',
        { 'data-session': c.sessionId ?? 'nobody' },
        h('span', { class: 'swatch', style: `background:${sessionColour(c.sessionId)}` }),
        h('span', {}, c.sessionId ? who(c.sessionId) : 'nobody'),
        h('span', { class: 'bar' }, h('span', { style: `width:${Math.round(c.probability * 100)}%` })),
        h('span', { class: 'prob' }, percent(c.probability)),
      ),
    ),
  );
}

function decisions(v, data) {
  const c = v.reviewCase;
  const card = () => document.querySelector(`[data-case-id="${CSS.escape(c.caseId)}"]`);
  const decide = (decision) => resolve(card(), c.caseId, decision);
  const buttons = c.alternatives.map((alt, i) =>
    h(
      'button',
      {
        type: 'button',
        class: i === 0 ? 'primary' : '',
        'data-alternative': i,
        onclick: () => decide({ alternative: i }),
      },
      h(
        'span',
        { class: 'alt-text' },
        h('strong', {}, `${i === 0 ? 'Accept: ' : ''}${alt.sessionId ? `charge ${who(alt.sessionId)}` : 'nobody'}`),
        h('span', {}, itemsText(alt.items, products)),
        ...(alt.with ?? []).map((w) =>
          h('span', { class: 'shared' }, `and ${who(w.sessionId)}: ${itemsText(w.items, products)}`),
        ),
      ),
      h('span', { class: 'prob' }, percent(alt.probability)),
    ),
  );
  if (!c.alternatives.some((a) => a.sessionId === null)) {
    buttons.push(
      h(
        'button',
        { type: 'button', class: 'danger', 'data-nobody': '', onclick: () => decide({ nobody: true }) },
        'Nobody (staff, a drop or a glitch)',
      ),
    );
  }
  return h('div', { class: 'alternatives' }, buttons, otherForm(v, data, decide));
}

/** A decision none of the alternatives offers: any open session, any SKU on the plates involved. */
function otherForm(v, data, decide) {
  const plateIds = v.plateIds;
  const skus = new Set(layout.plates.filter((p) => plateIds.includes(p.plateId)).flatMap((p) => p.skus));
  for (const alt of v.reviewCase.alternatives) for (const i of alt.items) skus.add(i.sku);
  const session = h(
    'select',
    { name: 'session' },
    data.sessions.map((s) => h('option', { value: s.sessionId }, `${s.account} (${s.state})`)),
    h('option', { value: '' }, 'nobody'),
  );
  const sku = h(
    'select',
    { name: 'sku' },
    [...skus].map((s) => h('option', { value: s }, products.get(s)?.name ?? s)),
  );
  const qty = h('input', { name: 'qty', type: 'number', value: 1, step: 1, style: 'width:4rem' });
  const submit = (e) => {
    e.preventDefault();
    decide({ sessionId: session.value || null, items: [{ sku: sku.value, qty: Number(qty.value) }] });
  };
  return h(
    'details',
    {},
    h('summary', { class: 'muted' }, 'Something else…'),
    h('form', { onsubmit: submit }, session, ' ', qty, ' × ', sku, ' ', h('button', { type: 'submit' }, 'Decide')),
  );
}

async function resolve(card, caseId, decision) {
  if (!card) return;
  card.classList.add('resolving');
  for (const b of card.querySelectorAll('button')) b.disabled = true;
  try {
    await api(`/api/staff/reviews/${encodeURIComponent(caseId)}/resolve`, { body: decision });
    card.remove();
  } catch (error) {
    card.classList.remove('resolving');
    for (const b of card.querySelectorAll('button')) b.disabled = false;
    const alert = card.querySelector('.error');
    alert.hidden = false;
    alert.textContent = `Could not resolve: ${error.message}`;
  }
  await reload();
}

lastSnapshot = (await api('/api/staff/snapshot')).snapshot;
await reload();
connectLive({
  onSnapshot({ snapshot }) {
    lastSnapshot = snapshot;
    for (const map of maps) map.setSnapshot(snapshot);
    tickOpenTimes(snapshot.t);
    if (tracesCompleteAt !== null && snapshot.t >= tracesCompleteAt) {
      tracesCompleteAt = null;
      void reload();
    }
    setReviewBadge(snapshot.reviews.length);
    const ids = snapshot.reviews.map((r) => r.caseId);
    // The snapshot's order is the engine's; compare as sets.
    if ([...ids].sort().join(',') !== shown.split(',').filter(Boolean).sort().join(',')) void reload();
  },
  onEvent(event) {
    if (event.type === 'review.opened' || event.type === 'review.resolved') void reload();
  },
});
