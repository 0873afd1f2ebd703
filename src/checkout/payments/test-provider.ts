/**
 * The built-in test payment provider for the demo and tests: no network, deterministic references, idempotent by
 * key like a real provider. Card tokens: `tok_visa` (and any other `tok_…`) succeed; `tok_decline` declines
 * everything; `tok_decline_capture` accepts the hold at entry but declines the charge at exit.
 * It plays the provider's side, so it outlives a restart of ours: tests keep one instance across "restarts".
 */
import { createHash } from 'node:crypto';
import type { PaymentProvider, ProviderResult } from './types.ts';

export const TEST_CARDS = {
  ok: 'tok_visa',
  declined: 'tok_decline',
  declinedAtCapture: 'tok_decline_capture',
} as const;

export interface TestMovement {
  kind: 'hold' | 'capture' | 'refund' | 'release';
  ref: string;
  amount: number;
  visit: string | null;
}

const refFor = (prefix: string, key: string): string =>
  `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';
  /** Every movement of money, once per idempotency key. */
  readonly movements: TestMovement[] = [];
  /** Requests received, duplicates included. */
  requests = 0;
  private readonly byKey = new Map<string, ProviderResult>();
  private readonly charged = new Map<string, { amount: number; refunded: number }>();
  /** The card each hold is on, and the holds neither captured nor released. */
  private readonly holdCards = new Map<string, string>();
  private readonly openHolds = new Map<string, { visit: string; amount: number }>();

  async hold(req: { token: string; amount: number; visit: string; idempotencyKey: string }): Promise<ProviderResult> {
    return this.once(`hold:${req.idempotencyKey}`, () => {
      if (req.token === TEST_CARDS.declined) return { ok: false, code: 'DECLINED', reason: 'test card declined' };
      const ref = refFor('hold', req.idempotencyKey);
      this.holdCards.set(ref, req.token);
      this.openHolds.set(ref, { visit: req.visit, amount: req.amount });
      this.movements.push({ kind: 'hold', ref, amount: req.amount, visit: req.visit });
      return { ok: true, ref };
    });
  }

  async capture(req: {
    token: string | null;
    amount: number;
    visit: string;
    holdRef: string | null;
    heldAmount: number;
    idempotencyKey: string;
  }): Promise<ProviderResult> {
    return this.once(`capture:${req.idempotencyKey}`, () => {
      // Without a card now, the hold's card pays.
      const card = req.token ?? (req.holdRef ? this.holdCards.get(req.holdRef) : undefined);
      if (!card || card === TEST_CARDS.declined || card === TEST_CARDS.declinedAtCapture) {
        return { ok: false, code: 'DECLINED', reason: 'test card declined' };
      }
      const ref = refFor('ch', req.idempotencyKey);
      if (req.holdRef && req.amount <= req.heldAmount) this.openHolds.delete(req.holdRef);
      this.charged.set(ref, { amount: req.amount, refunded: 0 });
      this.movements.push({ kind: 'capture', ref, amount: req.amount, visit: req.visit });
      return { ok: true, ref };
    });
  }

  async refund(req: { chargeRef: string; amount: number; idempotencyKey: string }): Promise<ProviderResult> {
    return this.once(`refund:${req.idempotencyKey}`, () => {
      const charge = this.charged.get(req.chargeRef);
      if (!charge) return { ok: false, code: 'PROVIDER_ERROR', reason: `no charge ${req.chargeRef}` };
      if (charge.refunded + req.amount > charge.amount) {
        return { ok: false, code: 'PROVIDER_ERROR', reason: 'refund larger than the charge' };
      }
      charge.refunded += req.amount;
      const ref = refFor('re', req.idempotencyKey);
      this.movements.push({ kind: 'refund', ref, amount: req.amount, visit: null });
      return { ok: true, ref };
    });
  }

  async release(req: { holdRef: string; idempotencyKey: string }): Promise<ProviderResult> {
    return this.once(`release:${req.idempotencyKey}`, () => {
      const hold = this.openHolds.get(req.holdRef);
      if (!hold) return { ok: false, code: 'PROVIDER_ERROR', reason: `no open hold ${req.holdRef}` };
      this.openHolds.delete(req.holdRef);
      const ref = refFor('rel', req.idempotencyKey);
      this.movements.push({ kind: 'release', ref, amount: hold.amount, visit: hold.visit });
      return { ok: true, ref };
    });
  }

  /** Money still held on the card for a visit: holds neither captured nor released. */
  heldFor(visit: string): number {
    let held = 0;
    for (const h of this.openHolds.values()) if (h.visit === visit) held += h.amount;
    return held;
  }

  /** Net money taken for a visit: captures less refunds against them. */
  capturedFor(visit: string): number {
    let total = 0;
    for (const m of this.movements)
      if (m.kind === 'capture' && m.visit === visit) total += m.amount - (this.charged.get(m.ref)?.refunded ?? 0);
    return total;
  }

  private once(key: string, act: () => ProviderResult): ProviderResult {
    this.requests += 1;
    const seen = this.byKey.get(key);
    if (seen) return seen;
    const result = act();
    this.byKey.set(key, result);
    return result;
  }
}

/**
 * A provider whose next answer to a call named in `lose` never reaches us, though the provider acted (a timeout):
 * for tests of what a lost answer leaves behind. Each loss is used once; add the call again to lose another.
 */
export function losingAnswers(provider: PaymentProvider): {
  provider: PaymentProvider;
  lose: Set<'hold' | 'capture'>;
} {
  const lose = new Set<'hold' | 'capture'>();
  const lost = (call: 'hold' | 'capture', answer: ProviderResult): ProviderResult => {
    if (!lose.delete(call)) return answer;
    return { ok: false, code: 'PROVIDER_ERROR', reason: 'socket hang up' };
  };
  return {
    lose,
    provider: {
      name: provider.name,
      hold: async (r) => lost('hold', await provider.hold(r)),
      capture: async (r) => lost('capture', await provider.capture(r)),
      refund: (r) => provider.refund(r),
      release: (r) => provider.release(r),
    },
  };
}
