/**
 * The one project error class. Thrown only for broken invariants and infrastructure failures;
 * expected outcomes (a bad QR code, an unknown plate) are returned as `{ ok: false, code }` results.
 */
export class WalkoutError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'WalkoutError';
  }
}

/** An expected outcome: either a value or a stable failure code with a human reason. */
export type Result<T, C extends string = string> = { ok: true; value: T } | { ok: false; code: C; reason: string };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <C extends string>(code: C, reason: string): { ok: false; code: C; reason: string } => ({
  ok: false,
  code,
  reason,
});
