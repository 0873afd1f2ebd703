/**
 * A small fixed-window rate limiter for the shopper app's sign-in and sign-up: at most `limit` attempts per key
 * (client address, email) per window. In memory and per process, which is what one store box needs; keys whose
 * window has passed are dropped as new attempts come, so memory follows recent traffic only.
 */
export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  /** Drop stale keys once more than this many are kept. */
  maxKeys?: number;
}

export type RateVerdict = { ok: true } | { ok: false; retryAfterMs: number };

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Counts one attempt for `key` at time `now` and says whether it may go ahead. */
  hit(key: string, now: number): RateVerdict {
    this.sweep(now);
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.options.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return { ok: true };
    }
    w.count += 1;
    if (w.count <= this.options.limit) return { ok: true };
    return { ok: false, retryAfterMs: w.start + this.options.windowMs - now };
  }

  private sweep(now: number): void {
    if (this.windows.size <= (this.options.maxKeys ?? 10_000)) return;
    for (const [key, w] of this.windows) if (now - w.start >= this.options.windowMs) this.windows.delete(key);
  }
}
