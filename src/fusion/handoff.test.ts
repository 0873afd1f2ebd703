import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HandMeet } from '../vision/hand-meets.ts';
import { DEFAULT_FUSION_CONFIG } from './config.ts';
import { decideHandoff, type HandoffSide } from './handoff.ts';

const T0 = 1_767_600_000_000;
const meet: HandMeet = { trackIds: ['T1', 'T2'], tStart: T0, t: T0 + 200, at: [2, 3] };
/** A pick `ago` ms before the meeting, off a plate `away` m from where the hands met. */
const pick = (sku: string, ago: number, away = 1) => ({ sku, t: T0 - ago, at: [2 + away, 3] as [number, number] });
const ann = (lastPick?: HandoffSide['lastPick']): HandoffSide => ({ trackId: 'T1', sessionId: 'ann', lastPick });
const bob = (lastPick?: HandoffSide['lastPick']): HandoffSide => ({ trackId: 'T2', sessionId: 'bob', lastPick });

test('[F8] hands met just after one shopper picked: that item moves to the other cart', () => {
  const outcome = decideHandoff(meet, [ann(), bob(pick('SODA', 6000))], DEFAULT_FUSION_CONFIG);
  assert.ok(outcome.ok);
  assert.equal(outcome.handoff.fromSessionId, 'bob');
  assert.equal(outcome.handoff.toSessionId, 'ann');
  assert.equal(outcome.handoff.sku, 'SODA');
  assert.equal(outcome.handoff.qty, 1);
  assert.equal(outcome.handoff.confidence, DEFAULT_FUSION_CONFIG.handoffConfidence);
  assert.equal(outcome.handoff.handoffId, `H-${T0}-T2-T1`);
  // A giver may have picked a minute or more before the hands met, when the other took nothing in the window.
  const window = DEFAULT_FUSION_CONFIG.handoffPickWindowMs;
  const walked = decideHandoff(meet, [ann(), bob(pick('SODA', window - 1000))], DEFAULT_FUSION_CONFIG);
  assert.ok(walked.ok);
  assert.equal(walked.handoff.fromSessionId, 'bob');
});

test('[F8] when it is unclear who gave what, the item stays with the picker', () => {
  // Both picked, off plates as far from where the hands met (within a tracking error): a coin toss.
  const both = decideHandoff(meet, [ann(pick('WATER', 2000, 1)), bob(pick('SODA', 6000, 1.05))], DEFAULT_FUSION_CONFIG);
  assert.deepEqual(both, { ok: false, code: 'BOTH_PICKED' });
  const old = DEFAULT_FUSION_CONFIG.handoffPickWindowMs + 1000;
  assert.deepEqual(decideHandoff(meet, [ann(), bob(pick('SODA', old))], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'NO_RECENT_PICK',
  });
  // The other one's pick still in review may be what changed hands: which way it went is not clear, however near.
  const pending = { ...ann(pick('WATER', 40_000, 5)), pendingPickT: T0 - 2000 };
  assert.deepEqual(decideHandoff(meet, [pending, bob(pick('SODA', 6000))], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'BOTH_PICKED',
  });
  // The other one's pick in review counts as taking something, even with no committed pick.
  const reviewing = { ...ann(), pendingPickT: T0 - 10_000 };
  assert.deepEqual(decideHandoff(meet, [reviewing, bob(pick('SODA', 6000))], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'BOTH_PICKED',
  });
  // Bob's pick just inside the window, off a plate farther than Ann's just outside it: hers may be what passed.
  const window = DEFAULT_FUSION_CONFIG.handoffPickWindowMs;
  const edge = [ann(pick('WATER', window + 5000, 0.9)), bob(pick('SODA', window - 5000, 3))] as const;
  assert.deepEqual(decideHandoff(meet, edge, DEFAULT_FUSION_CONFIG), { ok: false, code: 'BOTH_PICKED' });
  // A pick that landed after the hands met cannot be what passed between them.
  assert.deepEqual(decideHandoff(meet, [ann(), bob(pick('SODA', -1000))], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'NO_RECENT_PICK',
  });
});

test('[F8] both picked lately: the one whose pick came off a plate clearly nearer where the hands met gave it', () => {
  // Bob took a soda where they met and held it out; Ann had picked water across the store, and more recently.
  const outcome = decideHandoff(
    meet,
    [ann(pick('WATER', 2000, 6)), bob(pick('SODA', 9000, 0.9))],
    DEFAULT_FUSION_CONFIG,
  );
  assert.ok(outcome.ok);
  assert.deepEqual(
    [outcome.handoff.fromSessionId, outcome.handoff.toSessionId, outcome.handoff.sku],
    ['bob', 'ann', 'SODA'],
  );
  // A pick in review on the nearer side may be what passed, too: unclear.
  const pendingBob = { ...bob(pick('SODA', 9000, 0.9)), pendingPickT: T0 - 1000 };
  assert.deepEqual(decideHandoff(meet, [ann(pick('WATER', 2000, 6)), pendingBob], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'BOTH_PICKED',
  });
  // Bob's nearer pick was 40 s before: he may have carried it a while, or walked Ann's way. Guessed all the same
  // (a pass left with the picker is two wrong receipts for sure; the wrong way is the same two).
  const earlier = decideHandoff(
    meet,
    [ann(pick('WATER', 2000, 2)), bob(pick('SODA', 40_000, 0.9))],
    DEFAULT_FUSION_CONFIG,
  );
  assert.ok(earlier.ok);
  assert.equal(earlier.handoff.fromSessionId, 'bob');
  // A pick older than the pick window, off a plate farther away, is not in play: Ann's is the only one; she gave it.
  const old = DEFAULT_FUSION_CONFIG.handoffPickWindowMs + 1000;
  const stale = decideHandoff(meet, [ann(pick('WATER', 2000, 2)), bob(pick('SODA', old, 3))], DEFAULT_FUSION_CONFIG);
  assert.ok(stale.ok);
  assert.deepEqual([stale.handoff.fromSessionId, stale.handoff.sku], ['ann', 'WATER']);
});

test('[F8] a party member, staff or an unbound person at the meeting moves nothing', () => {
  const soda = pick('SODA', 3000);
  const child = { trackId: 'T2', sessionId: 'ann', lastPick: soda };
  assert.deepEqual(decideHandoff(meet, [ann(), child], DEFAULT_FUSION_CONFIG), { ok: false, code: 'SAME_PARTY' });
  const nobody = { trackId: 'T2', sessionId: null };
  assert.deepEqual(decideHandoff(meet, [ann(soda), nobody], DEFAULT_FUSION_CONFIG), {
    ok: false,
    code: 'NOT_TWO_SHOPPERS',
  });
});
