/**
 * Keeps the gate's past answers during recovery. Recovery replays every journalled scan through a fresh
 * authorizer, but the signed-QR authorizer also reads the account's standing as it is NOW: a shopper who removed
 * their card or was blocked since their visit would be refused on replay, the replay would stop matching the event
 * log, and the server would refuse to start. So while replaying, the k-th scan gets the k-th answer the log holds
 * (a scan always yields exactly one `gate.command`, and an admission its `session.opened` just before). The real
 * authorizer still sees every scan, so its memory of used codes is rebuilt; past the end of the log, or once
 * `live()` is called, it alone answers.
 */

import type { EntryAuthorizer } from '../identity/types.ts';
import type { EventLog } from '../storage/event-log.ts';

type Verdict = ReturnType<EntryAuthorizer['authorize']>;
type Refusal = Extract<Verdict, { ok: false }>['code'];

/** What the gate answered to one scan, from the log. */
export interface LoggedVerdict {
  t: number;
  verdict: Verdict;
}

const PAGE = 5_000;
const REFUSALS: readonly Refusal[] = [
  'QR_INVALID',
  'QR_EXPIRED',
  'QR_REPLAYED',
  'NO_PAYMENT_METHOD',
  'ACCOUNT_BLOCKED',
];

/**
 * The gate's answers in the log after position `from` (where the journal's replay starts: a pruned journal's epoch),
 * oldest first, paired with the session each admission opened.
 */
export async function loggedVerdicts(log: EventLog, from = 0): Promise<LoggedVerdict[]> {
  const out: LoggedVerdict[] = [];
  const opened = new Map<string, { account: string; partySize: number; staff: boolean }>();
  let after = from;
  for (;;) {
    const page = await log.read({ after, limit: PAGE, types: ['session.opened', 'gate.command'] });
    if (page.length === 0) return out;
    for (const event of page) {
      if (event.type === 'session.opened') {
        const { sessionId, account, partySize, staff } = event.data;
        opened.set(sessionId, { account, partySize, staff });
      } else if (event.type === 'gate.command') {
        const { action, reason, sessionId } = event.data;
        const session = sessionId === undefined ? undefined : opened.get(sessionId);
        if (sessionId !== undefined) opened.delete(sessionId);
        if (action === 'open' && session) out.push({ t: event.t, verdict: { ok: true, ...session } });
        else {
          const code = REFUSALS.includes(reason as Refusal) ? (reason as Refusal) : 'QR_INVALID';
          out.push({ t: event.t, verdict: { ok: false, code, reason: 'as answered before the restart' } });
        }
      }
    }
    after = page[page.length - 1]!.seq;
  }
}

export function replayingAuthorizer(
  inner: EntryAuthorizer,
  logged: LoggedVerdict[],
): EntryAuthorizer & { live(): void; replayed(): number } {
  let past: LoggedVerdict[] | null = logged;
  let k = 0;
  return {
    authorize(code, t) {
      const verdict = inner.authorize(code, t);
      const before = past?.[k];
      if (!before) {
        past = null;
        return verdict;
      }
      k += 1;
      // A scan at another time means the journal and the log disagree: let recovery see it and stop.
      return before.t === t ? before.verdict : verdict;
    },
    live() {
      past = null;
    },
    replayed: () => k,
  };
}
