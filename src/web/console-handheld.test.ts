/**
 * The staff pages' handheld: a message is answered once the engine applied it, with the engine's own refusal when
 * there is one, and never with another message's refusal that came while it waited.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine } from '../engine/engine.ts';
import type { EngineEvent, LoggedEvent } from '../engine/events.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import { tinyStore } from '../store/tiny-store.ts';
import { consoleHandheld } from './console-handheld.ts';

test('each staff message gets its own answer, though refusals of others arrive while it waits', async () => {
  const store = tinyStore();
  // As through the server's journal: decisions reach subscribers later, in a batch, once "logged".
  const logged: EngineEvent[] = [];
  const subscribers = new Set<(e: LoggedEvent) => void>();
  const engine = createEngine({ store, authorizer: createDemoAuthorizer(), sink: (e) => logged.push(e) });
  const settled = async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const e of logged.splice(0)) for (const fn of subscribers) fn({ ...e, seq: 1 } as LoggedEvent);
  };
  const events = {
    subscribe(fn: (e: LoggedEvent) => void) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
  const send = consoleHandheld({ engine, store, events, settled });
  assert.ok((await send('item.found', { sku: 'WATER', at: [2, 2] })).ok);
  const [waiting] = engine.snapshot().found;
  assert.ok(waiting, 'nobody inside: the find waits for staff');
  const [nobody, answered] = await Promise.all([
    send('found.assign', { foundId: 'found-console-1-WATER', sessionId: null, staff: 'Ada' }),
    send('found.assign', { foundId: waiting.foundId, sessionId: null, staff: 'Ada' }),
  ]);
  assert.equal(!nobody.ok && nobody.code, 'NO_SUCH_FIND');
  assert.ok(answered.ok, "the other assign's refusal, on the same topic meanwhile, is not this one's answer");
  const bad = await send('item.found', { sku: 'CAVIAR', at: [2, 2] });
  assert.equal(!bad.ok && bad.code, 'IMPOSSIBLE_VALUE', 'checked before it is sent');
});
