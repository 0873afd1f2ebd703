// Shared by the staff pages: DOM and SVG builders, the authenticated API, the live WebSocket, and formatting.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    // Through the CSSOM: the pages' CSP forbids inline style attributes.
    else if (key === 'style') el.style.cssText = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element; text children are always text nodes, never parsed as HTML. */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function toLogin() {
  location.href = `/staff/login?next=${encodeURIComponent(location.pathname)}`;
}

/** JSON from the staff API; a lost sign-in sends the browser back to the form. */
export async function api(path, options = {}) {
  const init = { credentials: 'same-origin', ...options };
  if (options.body !== undefined) {
    init.method = options.method ?? 'POST';
    init.headers = { 'content-type': 'application/json', ...(options.headers ?? {}) };
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    toLogin();
    throw new Error('signed out');
  }
  const json = await res.json();
  if (!res.ok) throw Object.assign(new Error(json.reason ?? res.statusText), { code: json.code, status: res.status });
  return json;
}

/**
 * The live wire: `onSnapshot({snapshot, stats})` about twice a second, `onEvent(event)` per engine decision.
 * Reconnects with backoff; the status line in the header says whether the page is live.
 */
export function connectLive({ onSnapshot, onEvent }) {
  const status = document.getElementById('conn');
  let delay = 500;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/staff/live`);
    ws.addEventListener('open', () => {
      delay = 500;
      if (status) {
        status.textContent = 'live';
        status.className = 'conn live';
      }
    });
    ws.addEventListener('message', (msg) => {
      const data = JSON.parse(msg.data);
      if (data.type === 'snapshot') onSnapshot?.(data);
      else if (data.type === 'event') onEvent?.(data.event);
    });
    ws.addEventListener('close', () => {
      if (status) {
        status.textContent = 'reconnecting…';
        status.className = 'conn down';
      }
      // A refused upgrade also closes: ask the API first, which sends a lost sign-in (a restart with a new token)
      // back to the form instead of retrying forever over a stale page.
      const retry = () =>
        api('/api/staff/store').then(open, (error) => {
          if (error.message !== 'signed out') open();
        });
      setTimeout(retry, delay);
      delay = Math.min(delay * 2, 8000);
    });
  };
  open();
}

/** Keeps the review badge in the navigation (src/web/shell.ts) in step with the snapshot. */
export function setReviewBadge(count) {
  const badge = document.getElementById('nav-review-count');
  if (badge) badge.textContent = count > 0 ? String(count) : '';
}

export function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    // Amounts are in the currency's minor unit: cents, but yen are whole.
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

let clockZone;

/** Times on the pages read in the store's time zone, wherever the staff member's browser is. */
export function setClockZone(timeZone) {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    clockZone = timeZone;
  } catch {
    clockZone = undefined;
  }
}

/** Event time as the store's time of day. */
export function clock(t) {
  return new Date(t).toLocaleTimeString(undefined, { hour12: false, timeZone: clockZone });
}

export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function percent(p) {
  return `${Math.round(p * 100)}%`;
}

/** A stable colour per session, so one party's dots match across pages; no colour without a session. */
export function sessionColour(sessionId) {
  if (!sessionId) return '#9ca3af';
  let hash = 0;
  for (const ch of sessionId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 42%)`;
}

/** Product names by SKU from the store layout. */
export function productIndex(layout) {
  return new Map(layout.products.map((p) => [p.sku, p]));
}

export function itemsText(items, products) {
  if (!items.length) return 'nothing';
  return items
    .map((i) => {
      const name = products.get(i.sku)?.name ?? i.sku;
      return i.qty < 0 ? `put back ${-i.qty} × ${name}` : `${i.qty} × ${name}`;
    })
    .join(', ');
}
