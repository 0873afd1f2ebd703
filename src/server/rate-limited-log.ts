/**
 * Rate-limited warnings for rejected device messages: a misconfigured device can send hundreds of bad messages a
 * second, and the log must stay readable. Per reject code, the first few in each window are logged in full; the rest
 * are counted and reported as one line when the window rolls over.
 */
import type { Logger } from 'pino';

export interface RateLimitOptions {
  windowMs: number;
  perWindow: number;
}

export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly options: RateLimitOptions = { windowMs: 10_000, perWindow: 5 },
  ) {}

  /** Logs `msg` with `fields` under `key` unless that key is over its budget for the current window. */
  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.options.windowMs) {
      if (w && w.suppressed > 0) {
        this.logger.warn(
          { key, suppressed: w.suppressed, windowMs: this.options.windowMs },
          `${msg} (more suppressed)`,
        );
      }
      w = { start: t, logged: 0, suppressed: 0 };
      this.windows.set(key, w);
    }
    if (w.logged < this.options.perWindow) {
      w.logged += 1;
      this.logger.warn(fields, msg);
    } else {
      w.suppressed += 1;
    }
  }
}
