/**
 * The entry gate's check of a signed QR code (an `EntryAuthorizer` for the engine): signature, expiry against the
 * scan's event time, single use, the account's standing and card. Synchronous and free of I/O: account facts come
 * from the accounts service's in-memory standing cache. Its only state is what it has admitted, pruned as codes
 * expire, so memory stays bounded by the codes scanned in one TTL.
 */
import type { AccountStanding } from './accounts.ts';
import { DEFAULT_ENTRY_TTL_MS, ENTRY_CODE_VERSION, verifyEntryCode } from './entry-qr.ts';
import type { EntryAuthorizer } from './types.ts';

export interface QrAuthorizerOptions {
  secret: Buffer;
  ttlMs?: number;
  /** Tolerated difference between the phone's issuing server and the gate's event clock, ms. */
  skewMs?: number;
  /** From the accounts service (`accounts.standing(id)`); undefined for an unknown account. */
  standing(account: string): AccountStanding | undefined;
}

type Verdict = ReturnType<EntryAuthorizer['authorize']>;
type Failure = Extract<Verdict, { ok: false }>;

const deny = (code: Failure['code'], reason: string): Failure => ({ ok: false, code, reason });

export function createQrAuthorizer(options: QrAuthorizerOptions): EntryAuthorizer {
  const ttl = options.ttlMs ?? DEFAULT_ENTRY_TTL_MS;
  const skew = options.skewMs ?? 5_000;
  /** nonce → the time after which its code is expired anyway and can be forgotten. */
  const usedNonces = new Map<string, number>();
  /** account → issued-at of the newest code that admitted it: older codes of that account are spent too. */
  const lastAdmitted = new Map<string, number>();

  let prunedAt = Number.NEGATIVE_INFINITY;

  // At most once a second of event time, so a burst of scans does not rescan the maps each time.
  const prune = (t: number): void => {
    if (t - prunedAt < 1_000) return;
    prunedAt = t;
    for (const [nonce, until] of usedNonces) if (t > until) usedNonces.delete(nonce);
    for (const [account, iat] of lastAdmitted) if (t > iat + ttl + skew) lastAdmitted.delete(account);
  };

  return {
    authorize(code: string, t: number): Verdict {
      prune(t);
      const verified = verifyEntryCode(options.secret, code);
      if (!verified.ok) return deny('QR_INVALID', verified.reason);
      const claims = verified.value;
      if (t > claims.iat + ttl) return deny('QR_EXPIRED', 'the code has expired: refresh it in the app');
      if (t < claims.iat - skew) return deny('QR_INVALID', 'the code is issued in the future');
      if (usedNonces.has(claims.nonce)) return deny('QR_REPLAYED', 'this code was already used');
      const admittedIat = lastAdmitted.get(claims.account);
      if (admittedIat !== undefined && claims.iat <= admittedIat) {
        return deny('QR_REPLAYED', 'a newer code of this account was already used');
      }
      const standing = options.standing(claims.account);
      if (!standing) return deny('QR_INVALID', 'unknown account');
      if (standing.blocked) return deny('ACCOUNT_BLOCKED', 'this account is blocked: please see staff');
      const staff = standing.role === 'staff';
      if (!staff && !standing.hasPaymentMethod) return deny('NO_PAYMENT_METHOD', 'add a card in the app first');
      usedNonces.set(claims.nonce, claims.iat + ttl + skew);
      lastAdmitted.set(claims.account, claims.iat);
      return { ok: true, account: claims.account, partySize: staff ? 1 : claims.partySize, staff };
    },
  };
}

/**
 * The gate of a store that also runs the simulator: signed app codes (`wk1.…`) go to `qr`, anything else (the
 * simulator's `demo:`/`staff:` codes) to `fallback`. Never use a demo fallback in a real store.
 */
export function withFallback(qr: EntryAuthorizer, fallback: EntryAuthorizer): EntryAuthorizer {
  return { authorize: (code, t) => (code.startsWith(`${ENTRY_CODE_VERSION}.`) ? qr : fallback).authorize(code, t) };
}
