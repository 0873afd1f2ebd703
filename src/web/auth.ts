/**
 * Staff sign-in for the web pages: who may see the live store, the carts and the review console.
 * Today that is whoever holds the shared staff token (a `walkout_staff` cookie from the sign-in form, or an
 * `Authorization: Bearer` header); accounts with a staff role replace `staffFromRequest` later, nothing else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const STAFF_COOKIE = 'walkout_staff';
/** The name a reviewer typed at sign-in, recorded with each review decision. Not a credential. */
export const STAFF_NAME_COOKIE = 'walkout_staff_name';

export interface StaffIdentity {
  /** Recorded as the reviewer on review decisions. */
  name: string;
}

/** Reads the cookies of a request into a map (no dependency on a cookie plugin). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      out.set(key, decodeURIComponent(raw));
    } catch {
      out.set(key, raw);
    }
  }
  return out;
}

/** Compares through digests so the time taken says nothing about how much of a guess was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Reviewer names are shown in the console and logged: keep them short and plain. */
export function cleanStaffName(name: string | undefined): string {
  const cleaned = (name ?? '').replace(/[^\p{L}\p{N} ._-]/gu, '').trim();
  return cleaned.slice(0, 40) || 'staff';
}

/** The one staff check: the identity behind a request, or null when it carries no valid staff credential. */
export function staffFromRequest(request: FastifyRequest, staffToken: string): StaffIdentity | null {
  const cookies = parseCookies(request.headers.cookie);
  const header = request.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  const given = bearer ?? cookies.get(STAFF_COOKIE);
  if (given === undefined || !sameSecret(given, staffToken)) return null;
  return { name: cleanStaffName(cookies.get(STAFF_NAME_COOKIE)) };
}

/** Only local staff pages are valid places to return to after signing in (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/staff\/[A-Za-z0-9/_-]*$/.test(next) || next.startsWith('/staff/login')) {
    return '/staff/live';
  }
  return next;
}

/** Route hook for pages: a browser without the token goes to the sign-in form and comes back afterwards. */
export function requireStaffPage(staffToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (staffFromRequest(request, staffToken)) return;
    const next = encodeURIComponent(safeNext(request.url.split('?')[0]));
    await reply.redirect(`/staff/login?next=${next}`, 302);
  };
}

/** Route hook for the JSON and WebSocket APIs: no token, 401. */
export function requireStaffApi(staffToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (staffFromRequest(request, staffToken)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="walkout-staff"')
      .send({ ok: false, code: 'UNAUTHORIZED', reason: 'staff sign-in required' });
  };
}

/** Cookie header values for a signed-in staff member (session cookies: they end with the browser). */
export function signInCookies(token: string, name: string): string[] {
  const attrs = 'Path=/; HttpOnly; SameSite=Strict';
  return [
    `${STAFF_COOKIE}=${encodeURIComponent(token)}; ${attrs}`,
    `${STAFF_NAME_COOKIE}=${encodeURIComponent(cleanStaffName(name))}; ${attrs}`,
  ];
}

export function signOutCookies(): string[] {
  const attrs = 'Path=/; HttpOnly; SameSite=Strict; Max-Age=0';
  return [`${STAFF_COOKIE}=; ${attrs}`, `${STAFF_NAME_COOKIE}=; ${attrs}`];
}
