/**
 * During recovery the gate answers each replayed scan as the log says it answered it, whatever the accounts look
 * like now; the real authorizer still sees every scan; past the log, or once live, it alone decides.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntryAuthorizer } from '../identity/types.ts';
import { MemoryEventLog } from '../storage/event-log.ts';
import { loggedVerdicts, replayingAuthorizer } from './replay-authorizer.ts';

/** Today every code is refused: the card was removed since. */
function refusing(): EntryAuthorizer & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    authorize(code) {
      seen.push(code);
      return { ok: false, code: 'NO_PAYMENT_METHOD', reason: 'no card' };
    },
  };
}

const session = (sessionId: string, t: number) => ({
  sessionId,
  account: 'acc_1',
  partySize: 2,
  gateId: 'door',
  opened: t,
  state: 'admitted' as const,
  trackIds: [],
  staff: false,
});

/** A log in which the gate admitted a party of two at t=10. */
async function logWithAdmission(): Promise<MemoryEventLog> {
  const log = new MemoryEventLog();
  await log.append({ type: 'session.opened', t: 10, data: session('door@10', 10) });
  await log.append({
    type: 'gate.command',
    t: 10,
    data: { gateId: 'door', action: 'open', admit: 2, reason: 'OK', sessionId: 'door@10' },
  });
  return log;
}

describe('replayingAuthorizer', () => {
  it('answers from the log while replaying, then lets the real check decide', async () => {
    const log = await logWithAdmission();
    await log.append({
      type: 'gate.command',
      t: 20,
      data: { gateId: 'door', action: 'deny', admit: 0, reason: 'QR_EXPIRED' },
    });
    const verdicts = await loggedVerdicts(log);
    assert.deepEqual(
      verdicts.map((v) => [v.t, v.verdict.ok]),
      [
        [10, true],
        [20, false],
      ],
    );
    const inner = refusing();
    const gate = replayingAuthorizer(inner, verdicts);
    assert.deepEqual(gate.authorize('a', 10), { ok: true, account: 'acc_1', partySize: 2, staff: false });
    const denied = gate.authorize('b', 20);
    assert.ok(!denied.ok && denied.code === 'QR_EXPIRED');
    // Past the log: today's answer.
    const now = gate.authorize('c', 30);
    assert.ok(!now.ok && now.code === 'NO_PAYMENT_METHOD');
    assert.deepEqual(inner.seen, ['a', 'b', 'c']);
    assert.equal(gate.replayed(), 2);
  });

  it('stops answering from the log once live, and on a scan at another time', async () => {
    const log = await logWithAdmission();
    const moved = replayingAuthorizer(refusing(), await loggedVerdicts(log));
    assert.equal(moved.authorize('a', 11).ok, false);
    const live = replayingAuthorizer(refusing(), await loggedVerdicts(log));
    live.live();
    assert.equal(live.authorize('a', 10).ok, false);
  });
});
