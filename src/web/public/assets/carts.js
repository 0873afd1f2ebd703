// The staff carts view: every open session with its cart lines and running total, updating live.
import { api, clock, connectLive, h, money, percent, productIndex, setClockZone, setReviewBadge } from './common.js';

const layout = await api('/api/staff/store');
const products = productIndex(layout);
setClockZone(layout.timezone);
const STATE_LABEL = { admitted: 'at the gate', inside: 'inside', exited: 'left · receipt pending', closed: 'closed' };
let lastKey = '';

function lineRow(line) {
  const name = products.get(line.sku)?.name ?? line.sku;
  const why = line.evidence.reviewCaseId
    ? 'staff review'
    : line.evidence.foundId
      ? 'found on the floor'
      : line.kind === 'correction'
        ? 'correction'
        : 'shelf';
  return h(
    'tr',
    { class: line.qty < 0 ? 'removal' : '', 'data-line': line.lineId, 'data-sku': line.sku },
    h('td', {}, h('time', { class: 'muted' }, clock(line.t))),
    h('td', {}, name),
    h('td', { class: 'num' }, `${line.qty > 0 ? '+' : ''}${line.qty}`),
    h('td', { class: 'num' }, money(line.qty * line.unitPrice, layout.currency)),
    h('td', { class: 'muted', title: `confidence ${percent(line.confidence)}` }, why),
  );
}

function cartCard(session, cart) {
  const lines = cart?.lines ?? [];
  return h(
    'section',
    { class: 'cart panel', 'data-session': session.sessionId },
    h('span', { class: 'tag state' }, STATE_LABEL[session.state] ?? session.state),
    h('h2', {}, `${session.account}${session.staff ? ' (staff)' : ''}`),
    h(
      'p',
      { class: 'muted' },
      `Session ${session.sessionId} · party of ${session.partySize} · since ${clock(session.opened)}`,
    ),
    lines.length
      ? h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'time'),
              h('th', {}, 'item'),
              h('th', { class: 'num' }, 'qty'),
              h('th', { class: 'num' }, 'amount'),
              h('th', {}, 'from'),
            ),
          ),
          h('tbody', {}, lines.map(lineRow)),
          h(
            'tfoot',
            {},
            h(
              'tr',
              {},
              h('td', { colspan: 3 }, 'Total'),
              h('td', { class: 'num', 'data-total': '' }, money(cart.total, layout.currency)),
              h('td', {}),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'Cart is empty.'),
  );
}

function render({ snapshot }) {
  setReviewBadge(snapshot.reviews.length);
  const open = snapshot.sessions.filter((s) => s.state !== 'closed');
  const key = JSON.stringify([open.map((s) => [s.sessionId, s.state]), open.map((s) => snapshot.carts[s.sessionId])]);
  // Rebuilding only on change keeps text selectable while the store is quiet.
  if (key === lastKey) return;
  lastKey = key;
  const total = open.reduce((sum, s) => sum + (snapshot.carts[s.sessionId]?.total ?? 0), 0);
  document.getElementById('carts-summary').textContent =
    `${open.length} open session${open.length === 1 ? '' : 's'} · ${money(total, layout.currency)} in carts`;
  const list = document.getElementById('carts');
  list.replaceChildren(...open.map((s) => cartCard(s, snapshot.carts[s.sessionId])));
  if (!open.length) list.append(h('div', { class: 'empty-state panel' }, 'Nobody is shopping right now.'));
}

render(await api('/api/staff/snapshot'));
connectLive({ onSnapshot: render });
