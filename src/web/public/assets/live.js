// The live store view: floor plan with stock-coloured plates, anonymous shopper dots with short trails and hands,
// decisions flashing on their plates, counters, and a feed of the latest decisions.
import { api, clock, connectLive, h, itemsText, productIndex, setClockZone, setReviewBadge } from './common.js';
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
}

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
