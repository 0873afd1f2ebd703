/**
 * Entry QR codes: `wk1.<claims>.<signature>`, claims being base64url JSON {a: account, n: party size, iat, x: nonce}
 * signed with HMAC-SHA256 under a secret from configuration (never in the repository). A code is short-lived (its
 * issued-at plus the TTL, checked against the scan's event time by qr-authorizer.ts), single use, and self-contained,
 * so the app can keep showing the last code it got while offline until it expires. The app fetches a fresh one every
 * few seconds (rotation), which makes a screenshot useless soon after.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fail, ok, type Result, WalkoutError } from '../errors.ts';

export const ENTRY_CODE_VERSION = 'wk1';
export const DEFAULT_ENTRY_TTL_MS = 30_000;
/** The shopper plus up to 9 guests. */
export const MAX_PARTY = 10;

export interface EntryClaims {
  account: string;
  partySize: number;
  /** Issued-at, ms epoch. */
  iat: number;
  nonce: string;
}

export interface IssuedCode {
  code: string;
  claims: EntryClaims;
  expiresAt: number;
}

/** Reads the signing secret from configuration; refuses a missing or short one rather than sign with a weak key. */
export function entrySecret(value: string | undefined): Buffer {
  if (!value || value.length < 32) {
    throw new WalkoutError(
      'QR_SECRET',
      'the entry QR secret must be set (WALKOUT_QR_SECRET) and be at least 32 characters',
    );
  }
  return Buffer.from(value, 'utf8');
}

const sign = (secret: Buffer, body: string): Buffer =>
  createHmac('sha256', secret).update(`${ENTRY_CODE_VERSION}.${body}`).digest();

export function signEntryCode(secret: Buffer, claims: EntryClaims): string {
  if (!Number.isInteger(claims.partySize) || claims.partySize < 1 || claims.partySize > MAX_PARTY) {
    throw new WalkoutError('QR_PARTY', `party size must be 1..${MAX_PARTY}`);
  }
  const json = JSON.stringify({ a: claims.account, n: claims.partySize, iat: claims.iat, x: claims.nonce });
  const body = Buffer.from(json).toString('base64url');
  return `${ENTRY_CODE_VERSION}.${body}.${sign(secret, body).toString('base64url')}`;
}

/** Checks form and signature only (not time, not replay): `QR_INVALID` for anything not signed by us. */
export function verifyEntryCode(secret: Buffer, code: string): Result<EntryClaims, 'QR_INVALID'> {
  const parts = code.split('.');
  if (parts.length !== 3 || parts[0] !== ENTRY_CODE_VERSION || code.length > 1024) {
    return fail('QR_INVALID', 'not a walkout entry code');
  }
  const [, body, signature] = parts as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('QR_INVALID', 'the code is not signed by this store');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return fail('QR_INVALID', 'unreadable code');
  }
  const c = raw as { a?: unknown; n?: unknown; iat?: unknown; x?: unknown };
  const wellFormed =
    typeof c.a === 'string' &&
    typeof c.x === 'string' &&
    Number.isInteger(c.n) &&
    (c.n as number) >= 1 &&
    (c.n as number) <= MAX_PARTY &&
    Number.isInteger(c.iat);
  if (!wellFormed) return fail('QR_INVALID', 'malformed claims');
  return ok({ account: c.a as string, partySize: c.n as number, iat: c.iat as number, nonce: c.x as string });
}

export interface EntryCodesOptions {
  secret: Buffer;
  ttlMs?: number;
  /** Randomness for nonces (tests pass a seeded one). */
  random?: (bytes: number) => Buffer;
}

/** Issues codes for the app. The clock is the caller's (the server's wall clock at request time). */
export class EntryCodes {
  readonly ttlMs: number;
  private readonly random: (bytes: number) => Buffer;

  constructor(private readonly options: EntryCodesOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_ENTRY_TTL_MS;
    this.random = options.random ?? randomBytes;
  }

  issue(account: string, partySize: number, now: number): IssuedCode {
    const claims: EntryClaims = { account, partySize, iat: now, nonce: this.random(9).toString('base64url') };
    return { code: signEntryCode(this.options.secret, claims), claims, expiresAt: now + this.ttlMs };
  }
}
