/**
 * The sign-in rate limiter: a limit per key per window, a retry time, independent keys, stale keys swept.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RateLimiter } from './rate-limit.ts';

it('allows `limit` attempts per window per key, then says when to retry', () => {
  const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, maxKeys: 2 });
  for (let i = 0; i < 3; i++) assert.deepEqual(limiter.hit('a', 1_000 + i), { ok: true });
  assert.deepEqual(limiter.hit('a', 11_000), { ok: false, retryAfterMs: 50_000 });
  assert.deepEqual(limiter.hit('b', 11_000), { ok: true }, 'another key is not affected');
  assert.deepEqual(limiter.hit('a', 61_000), { ok: true }, 'a new window');
  limiter.hit('c', 200_000);
  assert.deepEqual(limiter.hit('a', 200_001), { ok: true });
});
