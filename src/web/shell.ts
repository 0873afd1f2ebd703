/**
 * The one HTML shell every staff page shares: the document head (stylesheets, module script, no inline code so the
 * pages' CSP holds), the header with the navigation between pages and the connection status, and the security
 * headers. Each page brings only its `<main>` (a fragment in src/web/public or src/ops/public) and its script.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Same-origin only: no CDN, no inline script, so an injected string cannot run. */
export const STAFF_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";

export const STAFF_STYLESHEET = '/staff/assets/style.css';

/** The staff pages in navigation order; the review link carries the open-case badge. */
export const STAFF_NAV = [
  { page: 'live', label: 'Live' },
  { page: 'review', label: 'Review', badge: 'nav-review-count' },
  { page: 'carts', label: 'Carts' },
  { page: 'disputes', label: 'Disputes' },
  { page: 'ops', label: 'Operations' },
] as const;

export type StaffPageName = (typeof STAFF_NAV)[number]['page'];

export interface DocumentHead {
  /** Shown before " · Walkout staff"; escaped. */
  title: string;
  stylesheets?: readonly string[];
  /** An ES module; the pages run no inline script. */
  script?: string;
}

/** `<!doctype html>` through `</head>`. */
export function documentHead(head: DocumentHead): string {
  const styles = (head.stylesheets ?? [STAFF_STYLESHEET]).map((href) => `<link rel="stylesheet" href="${href}">`);
  const script = head.script ? [`<script type="module" src="${head.script}"></script>`] : [];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(head.title)} · Walkout staff</title>`,
    '<link rel="icon" href="data:,">',
    ...styles,
    ...script,
    '</head>',
  ].join('\n');
}

function navLinks(current: StaffPageName): string {
  return STAFF_NAV.map((item) => {
    const here = item.page === current ? ' aria-current="page"' : '';
    const badge = 'badge' in item ? ` <span class="badge" id="${item.badge}"></span>` : '';
    return `    <a href="/staff/${item.page}" data-nav="${item.page}"${here}>${item.label}${badge}</a>`;
  }).join('\n');
}

export interface StaffPage extends DocumentHead {
  page: StaffPageName;
  /** The page's own `<main>…</main>`, trusted markup from the repository. */
  main: string;
}

/** A whole staff page: head, the shared header and navigation, then the page's main. */
export function staffPage(page: StaffPage): string {
  return `${documentHead(page)}
<body data-page="${page.page}">
<header class="top">
  <a class="brand" href="/staff/live">Walkout</a>
  <nav>
${navLinks(page.page)}
  </nav>
  <span id="conn" class="conn">connecting…</span>
  <form method="post" action="/staff/logout"><button type="submit">Sign out</button></form>
</header>
${page.main.trim()}
</body>
</html>
`;
}

/** Reads a page's `<main>` fragment once and wraps it in the shell. */
export function staffPageFrom(fragment: URL, page: Omit<StaffPage, 'main'>): string {
  return staffPage({ ...page, main: readFileSync(fragment, 'utf8') });
}

/** The CSP and no-sniff headers on every reply of a staff scope. */
export function addStaffHeaders(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', STAFF_CSP);
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
}

/** Pages are rendered once at start; `no-store` keeps a signed-out browser from showing one from its cache. */
export function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
