// The ops dashboard: polls /api/staff/ops/summary, draws today's figures, the alerts (one click marks one done),
// stock by fixture and the visit list; clicking a visit shows its path on the floor plan, its events, receipt and
// reviews; clicking a plate opens a form to count it by hand. Data is only ever put into the page as text (never as
// HTML).
import { money as formatMoney, svg } from '/staff/assets/common.js';

const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

let layout = null;
let currency = 'USD';
let timezone = 'UTC';
let selectedVisit = null;
/** Another staff page (the disputes page) may link a visit to open: /staff/ops#visit=<session id>. */
const linkedVisit = new URLSearchParams(location.hash.slice(1)).get('visit');

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** In the store's currency (the staff pages' formatting); a figure not known yet reads as a dash. */
function money(minor) {
  return minor === null || minor === undefined ? '–' : formatMoney(minor, currency);
}

function clock(t) {
  if (!Number.isFinite(t)) return '–';
  return new Intl.DateTimeFormat(undefined, {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(new Date(t));
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function percent(x) {
  return x === null || x === undefined ? '–' : `${Math.round(x * 100)} %`;
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: 'same-origin', ...options });
  if (response.status === 401) {
    location.href = `/staff/login?next=${encodeURIComponent('/staff/ops')}`;
    throw new Error('signed out');
  }
  const body = await response.json();
  if (!response.ok) throw new Error(body.reason ?? `HTTP ${response.status}`);
  return body;
}

function setTile(id, value) {
  $(id).querySelector('.value').textContent = value;
}

function drawFigures(f) {
  $('day').textContent = f.day;
  setTile('k-visits', f.visits);
  setTile('k-revenue', money(f.revenue));
  setTile('k-basket', money(f.averageBasket === null ? null : Math.round(f.averageBasket)));
  setTile('k-review-rate', percent(f.reviewRate));
  setTile('k-resolve', duration(f.resolveMedianMs));
  setTile('k-pending', f.receiptsPending);
  setTile('k-inside', f.inside);
}

async function alertAction(id, action, button) {
  button.disabled = true;
  try {
    await api(`/api/staff/ops/alerts/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
    await refresh();
  } catch (error) {
    button.disabled = false;
    $('conn').textContent = `could not update the alert: ${error.message}`;
  }
}

function drawAlerts(alerts) {
  const body = $('alerts');
  const active = alerts.filter((a) => a.state !== 'done');
  $('alert-count').textContent = active.length > 0 ? String(active.length) : '';
  $('no-alerts').hidden = active.length > 0;
  body.replaceChildren(
    ...alerts.map((a) => {
      const actions = el('td');
      if (a.state === 'open') {
        const ack = el('button', { type: 'button', 'data-action': 'ack' }, 'Acknowledge');
        ack.addEventListener('click', () => alertAction(a.id, 'ack', ack));
        actions.append(ack, ' ');
      }
      if (a.state !== 'done') {
        const done = el('button', { type: 'button', class: 'done', 'data-action': 'done' }, 'Done');
        done.addEventListener('click', () => alertAction(a.id, 'done', done));
        actions.append(done);
      }
      const state = a.state === 'done' ? `done (${a.done?.auto ? 'cleared' : (a.done?.by ?? '')})` : a.state;
      return el(
        'tr',
        { class: a.state === 'done' ? 'done' : '', 'data-alert-id': a.id, 'data-state': a.state },
        el('td', {}, el('span', { class: `sev ${a.severity}` }, a.severity)),
        el('td', {}, el('strong', {}, a.kind), ' ', a.message),
        el('td', {}, clock(a.opened)),
        el('td', { class: 'state' }, state),
        actions,
      );
    }),
  );
}

function drawFixtures(fixtures) {
  $('fixtures').replaceChildren(
    ...fixtures.map((f) =>
      el(
        'div',
        { class: 'fixture', 'data-fixture': f.fixtureId },
        el('h3', {}, `${f.fixtureId} · ${f.kind} · ${percent(f.fill)} full`),
        el(
          'div',
          { class: 'plates' },
          ...f.plates.map((p) => {
            const low = p.stock.some((s) => !s.misplaced && s.units <= Math.floor(0.2 * s.capacity));
            const empty = p.stock.every((s) => s.misplaced || s.units === 0);
            const cls = ['plate', empty ? 'empty' : low ? 'low' : '', p.openAlerts > 0 ? 'alerted' : ''].join(' ');
            const fill = el('div', { class: 'fill' });
            fill.style.height = `${Math.round(p.fill * 100)}%`;
            const title = p.stock.map(
              (s) => `${s.sku}: ${s.units}${s.sd >= 0.05 ? ` ± ${s.sd.toFixed(1)}` : ''} / ${s.capacity}`,
            );
            const plate = el(
              'div',
              { class: cls, 'data-plate': p.plateId, title: `${p.plateId}\n${title.join('\n')}`, tabIndex: 0 },
              fill,
            );
            plate.setAttribute('role', 'button');
            plate.setAttribute('aria-label', `count plate ${p.plateId}`);
            plate.addEventListener('click', () => openCount(p));
            plate.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && openCount(p));
            return plate;
          }),
        ),
      ),
    ),
  );
}

/** The plate being counted: the form is built once when opened, so the 2 s refresh does not undo what staff type. */
let counting = null;

function openCount(plate) {
  counting = plate.plateId;
  $('count-title').textContent = `Count plate ${plate.plateId}`;
  $('count-status').textContent = '';
  $('count-fields').replaceChildren(
    ...plate.stock.map((s) =>
      el(
        'label',
        {},
        `${s.sku}${s.misplaced ? ' (misplaced)' : ''} `,
        el('input', { type: 'number', min: 0, step: 1, required: true, value: s.units, 'data-sku': s.sku }),
      ),
    ),
  );
  $('count').hidden = false;
  $('count-fields').querySelector('input')?.focus();
}

async function saveCount(event) {
  event.preventDefault();
  const counts = Object.fromEntries(
    [...$('count-fields').querySelectorAll('input')].map((i) => [i.dataset.sku, Number(i.value)]),
  );
  const button = $('count').querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await api(`/api/staff/ops/stock/${encodeURIComponent(counting)}/count`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ counts }),
    });
    $('count-status').textContent = `counted ${counting}`;
    await refresh();
  } catch (error) {
    $('count-status').textContent = `could not save the count: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

$('count').addEventListener('submit', saveCount);
$('count-cancel').addEventListener('click', () => {
  counting = null;
  $('count').hidden = true;
});

function drawVisits(visits) {
  $('visits').replaceChildren(
    ...visits.map((v) => {
      const row = el(
        'tr',
        { class: 'clickable', 'data-visit': v.sessionId },
        el('td', {}, v.staff ? `${v.sessionId} (staff)` : v.sessionId),
        el('td', {}, clock(v.opened)),
        el('td', {}, v.items),
        el('td', {}, money(v.total)),
        el('td', {}, v.openReviews > 0 ? `${v.status}, ${v.openReviews} in review` : v.status),
      );
      row.addEventListener('click', () => showVisit(v.sessionId));
      return row;
    }),
  );
}

function drawMap(target, visit, shelfEvents) {
  target.replaceChildren();
  if (!layout) return;
  const b = layout.bounds;
  const pad = 0.5;
  target.setAttribute('viewBox', `${b.x0 - pad} ${-(b.y1 + pad)} ${b.x1 - b.x0 + 2 * pad} ${b.y1 - b.y0 + 2 * pad}`);
  const pts = (list) => list.map(([x, y]) => `${x},${-y}`).join(' ');
  target.append(svg('polygon', { class: 'outline', points: pts(layout.outline) }));
  // Floor y runs up, SVG y runs down.
  const rect = (cls, r) => svg('rect', { class: cls, x: r.x0, y: -r.y1, width: r.x1 - r.x0, height: r.y1 - r.y0 });
  for (const f of layout.fixtures) target.append(rect('fixture', f.rect));
  const hit = new Set(shelfEvents.flatMap((e) => e.plateIds));
  for (const p of layout.plates) if (hit.has(p.plateId)) target.append(rect('plate-hit', p.rect));
  for (const g of layout.gates) {
    const [[x0, y0], [x1, y1]] = g.line;
    target.append(svg('line', { class: 'gate', x1: x0, y1: -y0, x2: x1, y2: -y1 }));
  }
  if (visit.path.length > 1)
    target.append(svg('polyline', { class: 'path', points: pts(visit.path.map((p) => [p[1], p[2]])) }));
}

async function showVisit(sessionId) {
  selectedVisit = sessionId;
  const { visit, shelfEvents, cases } = await api(`/api/staff/ops/visits/${encodeURIComponent(sessionId)}`);
  $('visit').hidden = false;
  $('visit-title').textContent = `Visit ${visit.sessionId} · ${visit.account}${visit.staff ? ' (staff)' : ''}`;
  drawMap($('visit-map'), visit, shelfEvents);
  const receipt = visit.receipt;
  $('visit-receipt').replaceChildren(
    receipt
      ? el(
          'table',
          {},
          ...receipt.lines.map((l) =>
            el('tr', {}, el('td', {}, `${l.qty} × ${l.name}`), el('td', {}, money(l.qty * l.unitPrice))),
          ),
          el('tr', {}, el('th', {}, 'total'), el('th', {}, money(receipt.total))),
        )
      : el('p', { class: 'muted' }, visit.closed ? 'not final yet (waiting on a review)' : 'still shopping'),
  );
  $('visit-reviews').replaceChildren(
    ...(visit.reviews.length === 0
      ? [el('li', { class: 'muted' }, 'none')]
      : visit.reviews.map((r) => {
          const c = cases.find((x) => x.caseId === r.caseId);
          const state =
            r.resolved === null ? 'open' : `resolved by ${r.reviewer} in ${duration(r.resolved - r.opened)}`;
          return el(
            'li',
            {},
            `${r.caseId}: ${r.reason} — ${state}${c ? ` (${c.alternatives.length} alternatives)` : ''}`,
          );
        })),
  );
  $('visit-timeline').replaceChildren(...visit.timeline.map((e) => el('li', {}, el('time', {}, clock(e.t)), e.text)));
}

async function refresh() {
  const summary = await api('/api/staff/ops/summary');
  currency = summary.store.currency;
  timezone = summary.store.timezone;
  $('store-name').textContent = `${summary.store.name} · operations`;
  drawFigures(summary.figures);
  drawAlerts(summary.alerts);
  drawFixtures(summary.fixtures);
  const { visits } = await api('/api/staff/ops/visits');
  drawVisits(visits);
  $('conn').textContent = `updated ${clock(summary.now)}`;
}

async function loop() {
  try {
    await refresh();
    if (selectedVisit) await showVisit(selectedVisit);
  } catch (error) {
    $('conn').textContent = `offline: ${error.message}`;
  }
  setTimeout(loop, POLL_MS);
}

async function start() {
  try {
    layout = await api('/api/staff/ops/layout');
  } catch {
    layout = null;
  }
  if (linkedVisit) await showVisit(linkedVisit).catch(() => (selectedVisit = null));
  await loop();
}

start();
