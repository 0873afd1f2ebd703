// The live store view: floor plan with stock-coloured plates, anonymous shopper dots with short trails and hands,
// decisions flashing on their plates, counters, a feed of the latest decisions, and items found on the floor: staff
// report one (product, then a click where it lay) and say whose a find left to them was.
import {
  api,
  clock,
  connectLive,
  h,
  itemsText,
  percent,
  productIndex,
  setClockZone,
  setReviewBadge,
} from './common.js';
import { createFloor } from './floor.js';

/** About five seconds of path at two snapshots a second. */
const TRAIL_SAMPLES = 10;
const MAX_FEED = 40;

const layout = await api('/api/staff/store');
const products = productIndex(layout);
setClockZone(layout.timezone);
document.getElementById('store-name').textContent = `Live store · ${layout.name}`;
const floor = createFloor(document.getElementById('floor'), layout, { products });

/** trackId → recent samples, oldest first; rebuilt from the snapshots' latest points. */
const trails = new Map();
/** Plates of recent shelf events, to flash the plate a cart line or review came from. */
const shelfPlates = new Map();

function setCounter(id, value, alert = false) {
  const el = document.getElementById(id);
  el.querySelector('.value').textContent = String(value);
  el.classList.toggle('alert', alert);
}

function onSnapshot({ snapshot, stats }) {
  const seen = new Set();
  for (const { trackId, sessionId, point } of snapshot.tracks) {
    seen.add(trackId);
    const trail = trails.get(trackId) ?? { trackId, sessionId, samples: [] };
    trail.sessionId = sessionId;
    const hands = [point.leftWrist, point.rightWrist].filter(Boolean);
    if ((trail.samples.at(-1)?.t ?? -1) < point.t) trail.samples.push({ t: point.t, x: point.x, y: point.y, hands });
    trail.samples.splice(0, Math.max(0, trail.samples.length - TRAIL_SAMPLES));
    trails.set(trackId, trail);
  }
  for (const id of trails.keys()) if (!seen.has(id)) trails.delete(id);
  floor.setSnapshot(snapshot);
  floor.setTracks([...trails.values()]);

  const openSessions = snapshot.sessions.filter((s) => s.state !== 'closed');
  const rejected = Object.values(stats.rejected).reduce((a, b) => a + b, 0);
  setCounter('c-shoppers', snapshot.tracks.length);
  setCounter('c-sessions', openSessions.length);
  setCounter('c-reviews', snapshot.reviews.length, snapshot.reviews.length > 0);
  setCounter('c-rejected', rejected, rejected > 0);
  setCounter('c-silent', snapshot.silentPlates.length, snapshot.silentPlates.length > 0);
  setCounter('c-cameras', snapshot.offlineCameras.length, snapshot.offlineCameras.length > 0);
  setReviewBadge(snapshot.reviews.length);
  document.getElementById('clock').textContent = clock(snapshot.t);
  renderProblems(snapshot, stats);
  renderFinds(snapshot.found);
}

/** Where staff clicked for the next report, and the finds waiting for them (drawn on the floor together). */
let picked = null;
let waiting = [];

function drawMarks() {
  const marks = waiting.map((f) => ({
    at: f.at,
    kind: 'found',
    title: `found: ${products.get(f.sku)?.name ?? f.sku}`,
  }));
  if (picked) marks.push({ at: picked, kind: 'picked', title: 'where the item lay' });
  floor.setMarks(marks);
}

function say(text) {
  document.getElementById('found-status').textContent = text;
}

async function assign(find, sessionId) {
  try {
    await api(`/api/staff/found/${encodeURIComponent(find.foundId)}/assign`, { body: { sessionId } });
    say(sessionId ? `Taken off shopper ${sessionId}'s receipt.` : 'Left on nobody’s receipt.');
  } catch (error) {
    say(`Not saved: ${error.message}`);
  }
}

function renderFinds(found) {
  // Snapshots come twice a second: rebuild only when the list changed, so a button is not swapped under a click.
  const key = found.map((f) => f.foundId).join();
  if (key === waiting.map((f) => f.foundId).join()) return;
  waiting = found;
  drawMarks();
  const items = found.map((f) => {
    const name = products.get(f.sku)?.name ?? f.sku;
    const choices = f.candidates.map((c) =>
      h(
        'button',
        { type: 'button', 'data-session': c.sessionId, onclick: () => assign(f, c.sessionId) },
        `${c.sessionId} · ${percent(c.probability)}`,
      ),
    );
    choices.push(h('button', { type: 'button', 'data-session': '', onclick: () => assign(f, null) }, 'Nobody’s'));
    return h(
      'li',
      { 'data-found': f.foundId },
      h('time', {}, clock(f.t)),
      ` ${name} — whose was it? `,
      h('div', {}, ...choices),
    );
  });
  document.getElementById('found-list').replaceChildren(...items);
}

const skuSelect = document.getElementById('found-sku');
skuSelect.replaceChildren(...layout.products.map((p) => h('option', { value: p.sku }, p.name)));
floor.onPick((at) => {
  picked = at;
  document.getElementById('found-at').textContent = `At ${at[0].toFixed(1)}, ${at[1].toFixed(1)} m.`;
  document.getElementById('found-report').disabled = false;
  drawMarks();
});
document.getElementById('found-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const { t } = await api('/api/staff/found', { body: { sku: skuSelect.value, at: picked } });
    say(`Reported at ${clock(t)}.`);
    picked = null;
    document.getElementById('found-report').disabled = true;
    drawMarks();
  } catch (error) {
    say(`Not reported: ${error.message}`);
  }
});

function renderProblems(snapshot, stats) {
  const lines = [];
  for (const id of snapshot.silentPlates) lines.push(h('div', { class: 'bad' }, `Plate ${id} is silent`));
  for (const id of snapshot.offlineCameras) lines.push(h('div', { class: 'bad' }, `Camera ${id} is offline`));
  for (const [code, n] of Object.entries(stats.rejected)) lines.push(h('div', {}, `${n} rejected: ${code}`));
  document.getElementById('problems').replaceChildren(...lines);
}

/** One line of the feed for a decision, or null for decisions not worth a line. */
function describe(event) {
  const d = event.data;
  switch (event.type) {
    case 'shelf.event':
      return `Shelf ${d.plateIds.join('+')}: ${Math.round(d.grams)} g ${d.grams >= 0 ? 'taken' : 'put back'}`;
    case 'shelf.decided':
      // A charge shows as its cart lines; a decision that charges nobody says why here.
      return d.sessionId === null ? `${d.reason.split(';')[0]} (${percent(d.confidence)})` : null;
    case 'cart.line':
      return `Cart ${d.qty > 0 ? '+' : ''}${d.qty} × ${products.get(d.sku)?.name ?? d.sku}`;
    case 'handoff':
      return `Handed over between shoppers: ${products.get(d.sku)?.name ?? d.sku}`;
    case 'review.opened':
      return `To review: ${d.reason}`;
    case 'review.resolved':
      return `Review decided by ${d.reviewer}: ${d.choice.sessionId ? itemsText([...d.choice.items, ...(d.choice.with ?? []).flatMap((w) => w.items)], products) : 'nobody'}`;
    case 'session.opened':
      return `Session opened at ${d.gateId} (party of ${d.partySize})`;
    case 'session.closed':
      return `Session closed (${d.reason})`;
    case 'receipt.final':
      return 'Receipt final';
    case 'gate.crossed':
      return `Someone crossed ${d.gateId} ${d.direction}`;
    case 'gate.command':
      return d.action === 'deny' ? `Gate ${d.gateId} denied: ${d.reason}` : null;
    case 'device.silent':
      return `Device ${d.deviceId} went silent`;
    case 'device.back':
      return `Device ${d.deviceId} is back`;
    case 'message.rejected':
      return `Rejected ${d.code}: ${d.topic}`;
    case 'item.found': {
      const name = products.get(d.sku)?.name ?? d.sku;
      if (d.sessionId === null)
        return d.assignedBy ? `Found ${name}: nobody’s, said ${d.assignedBy}` : `Found ${name}: waiting for staff`;
      return `Found ${name}: off a receipt${d.assignedBy ? `, said ${d.assignedBy}` : ` (${percent(d.confidence)})`}`;
    }
    default:
      return null;
  }
}

function onEvent(event) {
  const d = event.data;
  if (event.type === 'shelf.event') {
    shelfPlates.set(d.id, d.plateIds);
    if (shelfPlates.size > 500) shelfPlates.delete(shelfPlates.keys().next().value);
    floor.flash(d.plateIds, 'event');
  } else if (event.type === 'cart.line') {
    floor.flash(shelfPlates.get(d.evidence.shelfEventId) ?? [], d.qty >= 0 ? 'add' : 'remove');
  } else if (event.type === 'review.opened') {
    floor.flash(shelfPlates.get(d.shelfEventId) ?? [], 'review');
  }
  const text = describe(event);
  if (!text) return;
  const list = document.getElementById('events');
  list.prepend(h('li', { 'data-type': event.type }, h('time', {}, clock(event.t)), h('span', { class: 'kind' }, text)));
  while (list.children.length > MAX_FEED) list.lastElementChild.remove();
}

onSnapshot(await api('/api/staff/snapshot'));
connectLive({ onSnapshot, onEvent });
