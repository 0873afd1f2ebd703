/**
 * Rate-limited reject warnings: a few per code per window in full, the rest summed up when the window rolls over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { RateLimitedLog } from './rate-limited-log.ts';

describe('RateLimitedLog', () => {
  it('logs the first few per key and window, then one summary', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    let now = 0;
    const log = new RateLimitedLog(logger, () => now, { windowMs: 1_000, perWindow: 2 });
    for (let i = 0; i < 10; i++) log.warn('BAD_JSON', { i }, 'message rejected');
    log.warn('UNKNOWN_DEVICE', { i: 99 }, 'message rejected');
    assert.deepEqual(
      lines.map((l) => l.i),
      [0, 1, 99],
    );
    now = 1_000;
    log.warn('BAD_JSON', { i: 10 }, 'message rejected');
    assert.equal(lines[3]?.suppressed, 8);
    assert.equal(lines[4]?.i, 10);
  });
});
