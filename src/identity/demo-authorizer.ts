/**
 * Demo entry codes used by the simulator and by hand tests: `demo:<account>:<partySize>` for shoppers and
 * `staff:<account>` for staff. Accepts any well-formed code once; the shopper journey swaps in signed, expiring QR codes.
 */
import type { EntryAuthorizer } from './types.ts';

export function demoEntryCode(account: string, partySize: number, staff = false): string {
  return staff ? `staff:${account}` : `demo:${account}:${partySize}`;
}

/** The session id the engine gives a scan; the simulator uses the same rule for its visit ids. */
export function sessionIdFor(gateId: string, scanTs: number): string {
  return `${gateId}@${scanTs}`;
}

export function createDemoAuthorizer(): EntryAuthorizer {
  const used = new Set<string>();
  return {
    authorize(code) {
      if (used.has(code)) return { ok: false, code: 'QR_REPLAYED', reason: 'this code was already used' };
      const staff = /^staff:([A-Za-z0-9_.-]+)$/.exec(code);
      const shopper = /^demo:([A-Za-z0-9_.-]+):([1-9])$/.exec(code);
      if (!staff && !shopper) return { ok: false, code: 'QR_INVALID', reason: 'not a recognised entry code' };
      used.add(code);
      if (staff) return { ok: true, account: staff[1]!, partySize: 1, staff: true };
      return { ok: true, account: shopper![1]!, partySize: Number(shopper![2]), staff: false };
    },
  };
}
