import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HandMeet } from '../vision/hand-meets.ts';
import { DEFAULT_FUSION_CONFIG } from './config.ts';
import { decideHandoff, type HandoffSide } from './handoff.ts';

const T0 = 1_767_600_000_000;
const meet: HandMeet = { trackIds: ['T1', 'T2'], tStart: T0, t: T0 + 200 };
const ann = (lastPick?: HandoffSide['lastPick']): HandoffSide => ({ trackId: 'T1', sessionId: 'ann', lastPick });
const bob = (lastPick?: HandoffSide['lastPick']): HandoffSide => ({ trackId: 'T2', sessionId: 'bob', lastPick });

test('[F8] hands met just after one shopper picked: that item moves to the other cart', () => {
  const outcome = decideHandoff(meet, [ann(), bob({ sku: 'SODA', t: T0 - 6000 })], DEFAULT_FUSION_CONFIG);
  assert.ok(outcome.ok);
  assert.equal(outcome.handoff.fromSessionId, 'bob');
  assert.equal(outcome.handoff.toSessionId, 'ann');
  assert.equal(outcome.handoff.sku, 'SODA');
  assert.equal(outcome.handoff.qty, 1);
  assert.equal(outcome.handoff.confidence, DEFAULT_FUSION_CONFIG.handoffConfidence);
  assert.equal(outcome.handoff.handoffId, `H-${T0}-T2-T1`);
});

test('[F8] when it is unclear who gave what, the item stays with the picker', () => {
  const both = decideHandoff(
    meet,
    [ann({ sku: 'WATER', t: T0 - 2000 }), bob({ sku: 'SODA', t: T0 - 6000 })],
    DEFAULT_FUSION_CONFIG,
  );
  assert.deepEqual(both, { ok: false, code: 'BOTH_PICKED' });
  const old = T0 - DEFAULT_FUSION_CONFIG.handoffPickWindowMs - 1000;
  assert.deepEqual(decideHandoff(meet, [ann(), bob({ sku: 'SODA', t: old })], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'NO_RECENT_PICK',
  });
  // The other one's pick still in review may be what changed hands: which way it went is not clear.
  const pending = { ...ann(), pendingPickT: T0 - 2000 };
  assert.deepEqual(decideHandoff(meet, [pending, bob({ sku: 'SODA', t: T0 - 6000 })], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'BOTH_PICKED',
  });
  // A pick that landed after the hands met cannot be what passed between them.
  assert.deepEqual(decideHandoff(meet, [ann(), bob({ sku: 'SODA', t: T0 + 1000 })], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'NO_RECENT_PICK',
  });
});

test('[F8] a party member, staff or an unbound person at the meeting moves nothing', () => {
  const pick = { sku: 'SODA', t: T0 - 3000 };
  const child = { trackId: 'T2', sessionId: 'ann', lastPick: pick };
  assert.deepEqual(decideHandoff(meet, [ann(), child], DEFAULT_FUSION_CONFIG), { ok: false, code: 'SAME_PARTY' });
  const nobody = { trackId: 'T2', sessionId: null };
  assert.deepEqual(decideHandoff(meet, [ann(pick), nobody], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'NOT_TWO_SHOPPERS',
  });
});
