/**
 * Who is calling the shopper app: the sign-in token from the `walkout_app` cookie (HttpOnly, SameSite=Strict) or an
 * `Authorization: Bearer` header, resolved to an account by the accounts service. One check for pages' API calls
 * and the live WebSocket alike.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsService, PublicAccount } from '../identity/accounts.ts';

export const APP_COOKIE = 'walkout_app';

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return cookieValue(request.headers.cookie, APP_COOKIE);
}

export function signInCookie(token: string, maxAgeS: number, secure: boolean): string {
  return `${APP_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

export function signOutCookie(secure: boolean): string {
  return `${APP_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    shopper?: PublicAccount;
  }
}

/** Route hook: sets `request.shopper`, or answers 401. */
export function requireShopper(accounts: AccountsService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = tokenOf(request);
    const account = token ? await accounts.authenticate(token) : null;
    if (!account) {
      await reply.code(401).send({ error: 'SIGNED_OUT', message: 'please sign in' });
      return;
    }
    request.shopper = account;
  };
}
