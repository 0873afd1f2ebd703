// The staff disputes page: disputed receipt lines waiting for a decision (oldest first) with the shopper's note and
// the evidence behind the line (its shelf event or review case, from the ops visit book), one click to refund or
// reject; and the visits whose capture was declined. Text only ever goes in as text.
import { api, clock, connectLive, h, money, setClockZone, setReviewBadge } from './common.js';

const REFRESH_MS = 5000;
const layout = await api('/api/staff/store');
setClockZone(layout.timezone);
const list = document.getElementById('disputes');
const decided = [];
/** Evidence per visit, fetched once: it does not change after the receipt. */
const evidence = new Map();
let shown = '';

async function visitEvidence(visit) {
  if (!evidence.has(visit)) {
    evidence.set(
      visit,
      api(`/api/staff/ops/visits/${encodeURIComponent(visit)}`).catch(() => null),
    );
  }
  return evidence.get(visit);
}

/** What put this product in the cart: each cart line with its shelf event or review case. */
function evidenceList(found, sku) {
  if (!found) return h('p', { class: 'muted' }, 'No evidence kept for this visit (forgotten since).');
  const lines = found.visit.lines.filter((l) => l.sku === sku);
  if (!lines.length) return h('p', { class: 'muted' }, 'No cart line for this product in the visit.');
  return h(
    'ul',
    { class: 'evidence' },
    lines.map((line) => {
      const shelf = found.shelfEvents.find((e) => e.id === line.evidence.shelfEventId);
      const review = found.visit.reviews.find((r) => r.caseId === line.evidence.reviewCaseId);
      const qty = line.qty < 0 ? `put back ${-line.qty}` : `took ${line.qty}`;
      const why = review
        ? `review case ${review.caseId} (${review.reason}), decided by ${review.reviewer ?? 'staff'}`
        : shelf
          ? `shelf event ${shelf.id}: ${Math.round(shelf.grams)} g off plate ${shelf.plateIds.join(', ')}` +
            (shelf.flags.length ? ` [${shelf.flags.join(', ')}]` : '')
          : line.evidence.handoffId
            ? `handed between two shoppers in the aisle (${line.evidence.handoffId})`
            : (line.evidence.note ?? line.kind);
      const sure = line.confidence < 1 ? ` · ${Math.round(line.confidence * 100)}% sure` : '';
      return h('li', { 'data-line': line.lineId }, h('time', {}, clock(line.t)), ` ${qty} — ${why}${sure}`);
    }),
  );
}

async function decide(card, dispute, approve) {
  card.classList.add('resolving');
  for (const b of card.querySelectorAll('button')) b.disabled = true;
  try {
    const { dispute: done } = await api(`/api/staff/disputes/${encodeURIComponent(dispute.disputeId)}/decide`, {
      body: { approve },
    });
    decided.unshift({ ...done, name: dispute.name, email: dispute.email });
    await refresh();
  } catch (error) {
    card.classList.remove('resolving');
    for (const b of card.querySelectorAll('button')) b.disabled = false;
    card.querySelector('.error').textContent = `Not decided: ${error.message}`;
  }
}

function disputeCard(dispute, found, currency) {
  const card = h(
    'article',
    { class: 'case dispute', 'data-dispute': dispute.disputeId },
    h(
      'div',
      { class: 'case-head' },
      h('span', { class: 'title' }, `${dispute.qty} × ${dispute.name}`),
      h('span', {}, money(dispute.amount, currency)),
      h('span', { class: 'tag' }, dispute.email ?? dispute.account),
      h('span', { class: 'muted' }, `visit ${dispute.visit} · disputed at ${clock(dispute.opened)}`),
    ),
    h('blockquote', { class: 'note' }, dispute.reason || '(no note)'),
    h(
      'h3',
      {},
      'Evidence ',
      h('a', { href: `/staff/ops#visit=${encodeURIComponent(dispute.visit)}` }, 'open the visit'),
    ),
    evidenceList(found, dispute.sku),
    h('p', { class: 'error', role: 'alert' }),
  );
  card.append(
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { class: 'primary', 'data-action': 'refund', onclick: () => decide(card, dispute, true) },
        `Refund ${money(dispute.amount, currency)}`,
      ),
      h('button', { class: 'danger', 'data-action': 'reject', onclick: () => decide(card, dispute, false) }, 'Reject'),
    ),
  );
  return card;
}

function renderSide(declined, currency) {
  document
    .getElementById('decided')
    .replaceChildren(
      ...(decided.length
        ? decided.map((d) =>
            h(
              'li',
              { 'data-decided': d.disputeId },
              `${d.qty} × ${d.name}, ${money(d.amount, currency)} (${d.email ?? d.account}): ${d.status} by ${d.decidedBy}`,
            ),
          )
        : [h('li', { class: 'muted' }, 'Nothing yet.')]),
    );
  document
    .getElementById('declined')
    .replaceChildren(
      ...(declined.length
        ? declined.map((p) =>
            h('li', {}, `visit ${p.visit} · ${money(p.amount, p.currency)} · ${p.reason ?? 'declined'}`),
          )
        : [h('li', { class: 'muted' }, 'None.')]),
    );
}

async function refresh() {
  let data;
  try {
    data = await api('/api/staff/disputes');
  } catch (error) {
    if (error.status !== 404) throw error;
    list.replaceChildren(
      h('div', { class: 'empty-state panel' }, 'Disputes come with the shopper app, which this server does not run.'),
    );
    return;
  }
  const { disputes, declined, currency } = data;
  document.getElementById('disputes-summary').textContent =
    `${disputes.length} waiting${declined.length ? ` · ${declined.length} capture(s) to follow up` : ''}`;
  renderSide(declined, currency);
  const key = JSON.stringify(disputes.map((d) => d.disputeId));
  // Rebuilding only on change keeps a half-read card still.
  if (key === shown) return;
  shown = key;
  const found = await Promise.all(disputes.map((d) => visitEvidence(d.visit)));
  list.replaceChildren(...disputes.map((d, i) => disputeCard(d, found[i], currency)));
  if (!disputes.length) list.append(h('div', { class: 'empty-state panel' }, 'No dispute is waiting.'));
}

async function poll() {
  try {
    await refresh();
  } catch {
    // The status line says whether the server is reachable; the next poll tries again.
  }
  setTimeout(poll, REFRESH_MS);
}

connectLive({ onSnapshot: ({ snapshot }) => setReviewBadge(snapshot.reviews.length) });
poll();
