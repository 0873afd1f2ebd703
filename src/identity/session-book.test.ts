import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../engine/events.ts';
import { createDemoAuthorizer, demoEntryCode, sessionIdFor } from './demo-authorizer.ts';
import { SessionBook } from './session-book.ts';

const T0 = 1_767_600_000_000;

function book() {
  const events: EngineEvent[] = [];
  const sessions = new SessionBook(createDemoAuthorizer(), (e) => events.push(e), { bindWindowMs: 20_000 });
  const of = <K extends EngineEvent['type']>(type: K) => events.filter((e) => e.type === type);
  return { sessions, events, of };
}

test('a scan opens a session and the gate is told to admit the party', () => {
  const { sessions, of } = book();
  sessions.scan('in', demoEntryCode('ann', 1), T0);
  assert.equal(of('session.opened').length, 1);
  const command = of('gate.command')[0];
  assert.ok(command?.type === 'gate.command');
  assert.deepEqual([command.data.action, command.data.admit], ['open', 1]);
});

test('a second scan at one gate in the same millisecond is turned away unused, and admitted when scanned again', () => {
  const { sessions, of } = book();
  sessions.scan('in', demoEntryCode('ann', 1), T0);
  sessions.scan('in', demoEntryCode('bob', 1), T0);
  assert.deepEqual(
    of('gate.command').map((c) => c.type === 'gate.command' && [c.data.action, c.data.reason]),
    [
      ['open', 'OK'],
      ['deny', 'GATE_BUSY'],
    ],
  );
  assert.equal(sessions.get(sessionIdFor('in', T0))?.account, 'ann', "ann's session is hers");
  sessions.scan('in', demoEntryCode('bob', 1), T0 + 800);
  assert.equal(sessions.get(sessionIdFor('in', T0 + 800))?.account, 'bob', 'the code was not used up');
});

test('the person crossing after a scan is bound to it; the next without a scan is unbound', () => {
  const { sessions, of } = book();
  sessions.scan('in', demoEntryCode('ann', 1), T0);
  sessions.crossing('T1', 'in', 'in', T0 + 2_000);
  sessions.crossing('T2', 'in', 'in', T0 + 3_000);
  assert.equal(sessions.sessionOfTrack('T1')?.sessionId, sessionIdFor('in', T0));
  assert.equal(sessions.sessionOfTrack('T2'), undefined);
  assert.ok(sessions.isUnbound('T2'));
  assert.equal(of('shopper.unbound').length, 1);
});

test('a family on one scan: all N members bind to the scanning account', () => {
  const { sessions } = book();
  sessions.scan('in', demoEntryCode('fam', 3), T0);
  for (const [i, track] of ['T1', 'T2', 'T3'].entries()) sessions.crossing(track, 'in', 'in', T0 + 1_000 + i * 500);
  const ids = ['T1', 'T2', 'T3'].map((t) => sessions.sessionOfTrack(t)?.account);
  assert.deepEqual(ids, ['fam', 'fam', 'fam']);
});

test('two scans close together bind their people first come, first served', () => {
  const { sessions } = book();
  sessions.scan('in', demoEntryCode('a', 1), T0);
  sessions.scan('in', demoEntryCode('b', 1), T0 + 500);
  sessions.crossing('T1', 'in', 'in', T0 + 1_500);
  sessions.crossing('T2', 'in', 'in', T0 + 2_000);
  assert.equal(sessions.sessionOfTrack('T1')?.account, 'a');
  assert.equal(sessions.sessionOfTrack('T2')?.account, 'b');
});

test('the session closes when its last member leaves', () => {
  const { sessions, of } = book();
  sessions.scan('in', demoEntryCode('fam', 2), T0);
  sessions.crossing('T1', 'in', 'in', T0 + 1_000);
  sessions.crossing('T2', 'in', 'in', T0 + 1_500);
  sessions.crossing('T1', 'out', 'out', T0 + 60_000);
  assert.equal(of('session.closed').length, 0);
  sessions.crossing('T2', 'out', 'out', T0 + 70_000);
  assert.equal(of('session.closed').length, 1);
  assert.equal(sessions.exitedAt(sessionIdFor('in', T0)), T0 + 70_000);
});

test('a replayed code is denied with its reason, and a session nobody enters times out', () => {
  const { sessions, of } = book();
  const code = demoEntryCode('ann', 1);
  sessions.scan('in', code, T0);
  sessions.scan('in', code, T0 + 1_000);
  const denied = of('gate.command').filter((e) => e.type === 'gate.command' && e.data.action === 'deny');
  assert.equal(denied.length, 1);
  sessions.advance(T0 + 25_000);
  const closed = of('session.closed')[0];
  assert.ok(closed?.type === 'session.closed' && closed.data.reason === 'timeout');
});

test('without cameras the beam counts people in and out', () => {
  const { sessions, of } = book();
  sessions.scan('in', demoEntryCode('solo', 1), T0);
  sessions.pass('in', 'in', T0 + 1_000);
  assert.equal(sessions.insideAt(T0 + 1_000).length, 1);
  sessions.pass('out', 'out', T0 + 30_000);
  assert.equal(sessions.insideAt(T0 + 30_001).length, 0);
  // A change from before the exit, decided after it, is still theirs while the receipt is not final.
  assert.equal(sessions.insideAt(T0 + 20_000).length, 1);
  assert.equal(of('session.closed').length, 1);
});

test('without cameras a body the beam counts in with no admission waiting is told as unadmitted', () => {
  const { sessions, of } = book();
  sessions.scan('in', demoEntryCode('solo', 1), T0);
  sessions.pass('in', 'in', T0 + 1_000);
  sessions.pass('in', 'in', T0 + 1_800); // a tailgater on the shopper's heels
  assert.deepEqual(
    of('shopper.unbound').map((e) => [e.t, e.data]),
    [[T0 + 1_800, { trackId: null, gateId: 'in' }]],
  );
});

function trackedBook() {
  const events: EngineEvent[] = [];
  const sessions = new SessionBook(createDemoAuthorizer(), (e) => events.push(e), {
    bindWindowMs: 20_000,
    tracked: true,
    beamGates: ['in', 'out'],
    beamMatchMs: 1_500,
  });
  return { sessions, events };
}

/** A lone shopper scans at `t`, the beam counts them in a second later, and their track crosses. */
function walkIn(sessions: SessionBook, account: string, trackId: string, t: number): void {
  sessions.scan('in', demoEntryCode(account, 1), t);
  sessions.pass('in', 'in', t + 1_000);
  sessions.crossing(trackId, 'in', 'in', t + 1_200);
}

test('with a beam, a crossing the cameras missed does not shift the next shopper onto the wrong session', () => {
  const { sessions } = trackedBook();
  sessions.scan('in', demoEntryCode('a', 1), T0);
  sessions.pass('in', 'in', T0 + 1_200); // a walks in; no track crosses with it
  sessions.scan('in', demoEntryCode('b', 1), T0 + 5_000);
  sessions.pass('in', 'in', T0 + 6_200);
  sessions.crossing('T2', 'in', 'in', T0 + 6_450);
  sessions.advance(T0 + 9_000);
  assert.equal(sessions.sessionOfTrack('T2')?.account, 'b');
  assert.deepEqual(
    sessions.insideAt(T0 + 9_000).map((s) => s.account),
    ['a', 'b'],
  );
});

test('with a beam, a body passing with no admission is unbound even while a scan waits later', () => {
  const { sessions, events } = trackedBook();
  sessions.scan('in', demoEntryCode('a', 1), T0);
  sessions.pass('in', 'in', T0 + 1_000);
  sessions.crossing('T1', 'in', 'in', T0 + 1_250);
  sessions.pass('in', 'in', T0 + 2_000); // the tailgater right behind
  sessions.crossing('T9', 'in', 'in', T0 + 2_250);
  assert.equal(sessions.sessionOfTrack('T1')?.account, 'a');
  assert.ok(sessions.isUnbound('T9'));
  assert.equal(events.filter((e) => e.type === 'shopper.unbound').length, 1);
});

test('with a beam, a group binds pass by pass and a crossing seen before its beam still pairs', () => {
  const { sessions } = trackedBook();
  sessions.scan('in', demoEntryCode('fam', 3), T0);
  sessions.crossing('T1', 'in', 'in', T0 + 900); // the camera saw the line crossed a little before the beam
  sessions.pass('in', 'in', T0 + 1_000);
  sessions.pass('in', 'in', T0 + 1_800);
  sessions.crossing('T2', 'in', 'in', T0 + 2_000);
  sessions.pass('in', 'in', T0 + 2_600);
  sessions.crossing('T3', 'in', 'in', T0 + 2_800);
  assert.deepEqual(
    ['T1', 'T2', 'T3'].map((t) => sessions.sessionOfTrack(t)?.account),
    ['fam', 'fam', 'fam'],
  );
});

test('with a beam, a late crossing binds to the member the beam let in, and an untracked exit closes the session', () => {
  const { sessions, events } = trackedBook();
  sessions.scan('in', demoEntryCode('a', 1), T0);
  sessions.pass('in', 'in', T0 + 1_000);
  sessions.advance(T0 + 4_000); // the track is confirmed only later
  sessions.crossing('T1', 'in', 'in', T0 + 3_000);
  sessions.advance(T0 + 6_000);
  assert.equal(sessions.sessionOfTrack('T1')?.account, 'a');

  sessions.scan('in', demoEntryCode('b', 1), T0 + 10_000);
  sessions.pass('in', 'in', T0 + 11_000); // b is never tracked
  sessions.advance(T0 + 14_000);
  sessions.pass('out', 'out', T0 + 60_000); // b walks out; no track crosses with it
  sessions.advance(T0 + 63_000);
  const closed = events.flatMap((e) => (e.type === 'session.closed' ? [e.data.sessionId] : []));
  assert.deepEqual(closed, [sessionIdFor('in', T0 + 10_000)]);
});

test('a track found again inside is adopted by the one session missing a track, and only then', () => {
  const { sessions } = trackedBook();
  walkIn(sessions, 'a', 'T1', T0);
  walkIn(sessions, 'b', 'T2', T0 + 2_000);
  // Both shoppers tracked: a new track inside belongs to nobody known.
  sessions.adoptStrays(['T1', 'T2', 'T9'], T0 + 10_000);
  sessions.adoptStrays(['T1', 'T2', 'T9'], T0 + 14_000);
  assert.equal(sessions.sessionOfTrack('T9'), undefined);
  // T2 is lost; T7 appears where nobody came in. After 3 s it is b's.
  assert.deepEqual(sessions.sessionsMissingTrack(['T1', 'T9']), [sessionIdFor('in', T0 + 2_000)]);
  sessions.adoptStrays(['T1', 'T7'], T0 + 20_000);
  assert.equal(sessions.sessionOfTrack('T7'), undefined);
  sessions.adoptStrays(['T1', 'T7'], T0 + 23_000);
  assert.equal(sessions.sessionOfTrack('T7')?.account, 'b');
});

test('a stray is not adopted while two sessions are missing a track', () => {
  const { sessions } = trackedBook();
  for (const [i, who] of ['a', 'b'].entries()) {
    sessions.scan('in', demoEntryCode(who, 1), T0 + i * 5_000);
    sessions.pass('in', 'in', T0 + i * 5_000 + 1_000);
    sessions.crossing(`T${i + 1}`, 'in', 'in', T0 + i * 5_000 + 1_200);
  }
  sessions.adoptStrays(['T7'], T0 + 20_000);
  sessions.adoptStrays(['T7'], T0 + 24_000);
  assert.equal(sessions.sessionOfTrack('T7'), undefined);
  assert.equal(sessions.sessionsMissingTrack(['T7']).length, 2);
});

test('someone seen before a session was scanned is never adopted as its member, whose crossing may still come', () => {
  const { sessions } = trackedBook();
  // T7 wanders inside, never crossing a gate; then c scans and the beam lets c in before c's track crosses.
  sessions.adoptStrays(['T7'], T0);
  sessions.scan('in', demoEntryCode('c', 1), T0 + 2_000);
  sessions.pass('in', 'in', T0 + 3_000);
  sessions.adoptStrays(['T7'], T0 + 4_000);
  assert.equal(sessions.sessionOfTrack('T7'), undefined);
  sessions.crossing('T3', 'in', 'in', T0 + 4_100);
  assert.equal(sessions.sessionOfTrack('T3')?.account, 'c');
});

test('with a beam, a member whose track was lost walks out unseen: the exit pass closes the session', () => {
  const { sessions, events } = trackedBook();
  walkIn(sessions, 'a', 'T1', T0);
  walkIn(sessions, 'b', 'T2', T0 + 5_000);
  sessions.adoptStrays(['T1', 'T2'], T0 + 30_000);
  sessions.adoptStrays(['T2'], T0 + 60_000); // a stands behind a pillar; the cameras lose T1 for good
  sessions.pass('out', 'out', T0 + 90_000); // a walks out; no track crosses with it
  sessions.advance(T0 + 95_000);
  const closed = events.flatMap((e) => (e.type === 'session.closed' ? [e.data.sessionId] : []));
  assert.deepEqual(closed, [sessionIdFor('in', T0)]);
  assert.deepEqual(
    sessions.insideAt(T0 + 95_000).map((s) => s.account),
    ['b'],
  );
});

test('with cameras, passes from a gate the store says has no beam are ignored: each member is admitted once', () => {
  const events: EngineEvent[] = [];
  const sessions = new SessionBook(createDemoAuthorizer(), (e) => events.push(e), {
    bindWindowMs: 20_000,
    tracked: true,
    beamGates: [],
    beamMatchMs: 1_500,
  });
  sessions.scan('in', demoEntryCode('fam', 2), T0);
  sessions.pass('in', 'in', T0 + 1_000);
  sessions.crossing('T1', 'in', 'in', T0 + 1_100);
  sessions.pass('in', 'in', T0 + 2_000);
  sessions.crossing('T2', 'in', 'in', T0 + 2_100);
  assert.deepEqual(
    ['T1', 'T2'].map((t) => sessions.sessionOfTrack(t)?.account),
    ['fam', 'fam'],
  );
  assert.equal(events.filter((e) => e.type === 'shopper.unbound').length, 0);
});

test('with a beam, an unexplained exit pass closes nobody while two sessions have lost sight of a member', () => {
  const { sessions, events } = trackedBook();
  walkIn(sessions, 'a', 'T1', T0);
  walkIn(sessions, 'b', 'T2', T0 + 5_000);
  sessions.adoptStrays([], T0 + 60_000); // both hidden at this look
  sessions.pass('out', 'out', T0 + 90_000);
  sessions.advance(T0 + 95_000);
  assert.equal(events.filter((e) => e.type === 'session.closed').length, 0);
});

test('with a beam, a stray exit pass settled after a shopper came in does not close them: they entered after it', () => {
  const { sessions, events } = trackedBook();
  sessions.pass('out', 'out', T0 + 500); // a beam blip, or someone stepping out, before the shopper comes in
  walkIn(sessions, 'a', 'T1', T0);
  sessions.advance(T0 + 5_000); // the pass is settled now, with a inside and no track seen yet
  assert.equal(events.filter((e) => e.type === 'session.closed').length, 0);
  assert.deepEqual(
    sessions.insideAt(T0 + 5_000).map((s) => s.account),
    ['a'],
  );
});
