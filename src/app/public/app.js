// The shopper app: sign in, add a card, show the rotating entry QR (with guests), watch the live cart, read
// receipts and dispute a line. Plain DOM, no framework; text goes in with textContent, never as HTML.

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 10_000;
const state = {
  account: null,
  store: { name: 'Walkout', currency: 'USD' },
  testCards: [],
  party: 1,
  code: null,
  socket: null,
};

async function api(method, path, body) {
  const response = await fetch(`/api/app/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new Error(data.message || response.statusText), { status: response.status, data });
  return data;
}

function money(minor, currency = state.store.currency) {
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

function show(section) {
  for (const id of ['auth', 'home', 'receipts', 'receipt']) $(id).hidden = id !== section;
  $('nav').hidden = section === 'auth';
}

function li(...cells) {
  const item = document.createElement('li');
  for (const cell of cells) item.append(cell);
  return item;
}

function span(text, className) {
  const s = document.createElement('span');
  s.textContent = text;
  if (className) s.className = className;
  return s;
}

// --- sign in -------------------------------------------------------------------------------------------------

async function authenticate(kind) {
  $('auth-error').textContent = '';
  try {
    await api('POST', kind, { email: $('email').value, password: $('password').value });
    await start();
  } catch (error) {
    $('auth-error').textContent = error.message;
  }
}

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  authenticate('signin');
});
$('sign-up').addEventListener('click', () => {
  if ($('auth-form').reportValidity()) authenticate('signup');
});
$('sign-out').addEventListener('click', async () => {
  await api('POST', 'signout').catch(() => {});
  state.account = null;
  state.socket?.close();
  show('auth');
});

// --- card ----------------------------------------------------------------------------------------------------

function renderCard() {
  const card = state.account.paymentMethod;
  $('card-status').textContent = card ? `Paying with: ${card.label}` : 'Add a card to enter the store.';
  $('remove-card').hidden = !card;
  const box = $('test-cards');
  box.replaceChildren(
    ...state.testCards.map((c) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = `Use ${c.label}`;
      b.dataset.token = c.token;
      b.addEventListener('click', async () => {
        state.account = (await api('PUT', 'card', { token: c.token })).account;
        renderCard();
        refreshCode();
      });
      return b;
    }),
  );
}

$('remove-card').addEventListener('click', async () => {
  state.account = (await api('DELETE', 'card')).account;
  renderCard();
  refreshCode();
});

// --- entry code ----------------------------------------------------------------------------------------------

function setParty(n) {
  state.party = Math.min(10, Math.max(1, n));
  $('party-size').textContent = String(state.party);
  refreshCode();
}
$('party-minus').addEventListener('click', () => setParty(state.party - 1));
$('party-plus').addEventListener('click', () => setParty(state.party + 1));

async function refreshCode() {
  if (!state.account) return;
  if (!state.account.paymentMethod) {
    state.code = null;
    renderCode();
    return;
  }
  try {
    state.code = await api('POST', 'entry-code', { partySize: state.party });
    $('offline').hidden = true;
  } catch (error) {
    if (error.status === 401) return show('auth');
    $('offline').hidden = false; // keep the last code while it is valid
  }
  renderCode();
}

function renderCode() {
  const img = $('qr');
  const code = state.code;
  const left = code ? Math.round((code.expiresAt - Date.now()) / 1000) : 0;
  if (!code || left <= 0) {
    img.hidden = true;
    img.removeAttribute('data-entry-code');
    $('qr-status').textContent = state.account?.paymentMethod
      ? 'Getting a fresh code…'
      : 'Add a card to get your entry code.';
    return;
  }
  if (img.dataset.entryCode !== code.code) {
    img.src = code.image;
    img.dataset.entryCode = code.code;
    img.dataset.partySize = String(code.partySize);
  }
  img.hidden = false;
  img.classList.toggle('stale', left <= 3);
  const who = code.partySize === 1 ? 'you' : `you + ${code.partySize - 1} guest${code.partySize > 2 ? 's' : ''}`;
  $('qr-status').textContent = `Scan at the gate: admits ${who}. Valid ${left} s.`;
}

setInterval(renderCode, 1000);
setInterval(refreshCode, REFRESH_MS);

// --- live cart -----------------------------------------------------------------------------------------------

function renderCarts(carts) {
  const cart = carts.find((c) => c.state === 'inside' || c.state === 'admitted' || c.state === 'exited') ?? carts[0];
  const lines = $('cart-lines');
  if (!cart) {
    lines.replaceChildren(li(span('Walk in and take what you need.', 'muted')));
    $('cart-total').textContent = '—';
    $('cart-total').dataset.total = '0';
    $('cart-state').textContent = '';
    return;
  }
  lines.replaceChildren(
    ...cart.lines.map((l) => {
      const item = li(span(`${l.qty} × ${l.name}`, 'what'), span(money(l.amount, cart.currency)));
      item.dataset.sku = l.sku;
      item.dataset.qty = String(l.qty);
      return item;
    }),
  );
  if (cart.lines.length === 0) lines.replaceChildren(li(span('Nothing yet.', 'muted')));
  $('cart-total').textContent = money(cart.total, cart.currency);
  $('cart-total').dataset.total = String(cart.total);
  $('cart-state').textContent =
    { admitted: '(come in)', inside: '(in the store)', exited: '(receipt on its way)', final: '(receipt sent)' }[
      cart.state
    ] ?? '';
}

function connectLive(delay = 500) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/app/live`;
  const socket = new WebSocket(url);
  state.socket = socket;
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'carts') renderCarts(message.carts);
  });
  socket.addEventListener('close', (event) => {
    if (state.socket !== socket || !state.account || event.code === 4401) return;
    setTimeout(() => connectLive(Math.min(delay * 2, 10_000)), delay);
  });
}

// --- receipts and disputes -----------------------------------------------------------------------------------

async function showReceipts() {
  show('receipts');
  const { receipts } = await api('GET', 'receipts');
  const list = $('receipt-list');
  list.replaceChildren(
    ...receipts.map((r) => {
      const a = document.createElement('a');
      a.href = `#receipt/${encodeURIComponent(r.visit)}`;
      a.textContent = new Date(r.entered).toLocaleString();
      return li(a, span(money(r.total, r.currency)));
    }),
  );
  if (receipts.length === 0) list.replaceChildren(li(span('No receipts yet.', 'muted')));
}

async function showReceipt(visit) {
  show('receipt');
  $('dispute-result').textContent = '';
  const { receipt, payment, disputes } = await api('GET', `receipts/${encodeURIComponent(visit)}`);
  const disputed = new Map(disputes.map((d) => [d.sku, d.status]));
  $('receipt-meta').textContent =
    `In ${new Date(receipt.entered).toLocaleString()} · out ${receipt.exited ? new Date(receipt.exited).toLocaleTimeString() : '—'}`;
  $('receipt-total').textContent = money(receipt.total, receipt.currency);
  $('receipt-payment').textContent = payment
    ? `Payment: ${payment.status}${payment.refunded ? `, refunded ${money(payment.refunded, receipt.currency)}` : ''}`
    : '';
  $('receipt-lines').replaceChildren(
    ...receipt.lines.map((l) => {
      const status = disputed.get(l.sku);
      const action = status ? span(`dispute: ${status}`, 'muted') : document.createElement('button');
      if (!status) {
        action.type = 'button';
        action.className = 'link';
        action.textContent = 'Dispute';
        action.dataset.dispute = l.sku;
        action.addEventListener('click', () => dispute(visit, l.sku));
      }
      return li(span(`${l.qty} × ${l.name}`, 'what'), span(money(l.qty * l.unitPrice, receipt.currency)), action);
    }),
  );
}

async function dispute(visit, sku) {
  let result;
  try {
    const { dispute: d } = await api('POST', `receipts/${encodeURIComponent(visit)}/disputes`, {
      sku,
      reason: 'disputed in the app',
    });
    result = d.status === 'refunded' ? `Refunded ${money(d.amount)}.` : 'Thanks: staff will look at it.';
  } catch (error) {
    result = error.message;
  }
  await showReceipt(visit).catch(() => {});
  $('dispute-result').textContent = result;
  $('dispute-result').dataset.done = 'true';
}

// --- routing and start ---------------------------------------------------------------------------------------

function route() {
  if (!state.account) return show('auth');
  const hash = location.hash.slice(1);
  if (hash === 'receipts') return showReceipts();
  if (hash.startsWith('receipt/')) return showReceipt(decodeURIComponent(hash.slice('receipt/'.length)));
  show('home');
}
window.addEventListener('hashchange', () => route());

async function start() {
  try {
    const me = await api('GET', 'me');
    Object.assign(state, { account: me.account, store: me.store, testCards: me.testCards });
  } catch {
    state.account = null;
  }
  $('store-name').textContent = state.store.name;
  document.title = state.store.name;
  if (!state.account) return show('auth');
  renderCard();
  renderCarts([]);
  connectLive();
  refreshCode();
  route();
}

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {});
start();
