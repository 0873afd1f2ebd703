/**
 * Shopping sessions: opened by a scan at an entry gate, bound to the people who walk in, closed at exit.
 */
export type SessionState = 'admitted' | 'inside' | 'exited' | 'closed';

export interface Session {
  sessionId: string;
  account: string;
  /** People the scan admits (1 + guests). */
  partySize: number;
  gateId: string;
  opened: number;
  state: SessionState;
  /** Track ids bound to this session. */
  trackIds: string[];
  staff: boolean;
}

/** Decides whether a scanned code admits someone. Pure given the code and event time. */
export interface EntryAuthorizer {
  authorize(
    code: string,
    t: number,
  ):
    | { ok: true; account: string; partySize: number; staff: boolean }
    | {
        ok: false;
        code: 'QR_INVALID' | 'QR_EXPIRED' | 'QR_REPLAYED' | 'NO_PAYMENT_METHOD' | 'ACCOUNT_BLOCKED';
        reason: string;
      };
}
