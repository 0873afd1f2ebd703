/**
 * The review case life cycle as a state machine [R1]: open → resolved (someone is charged or credited) or
 * dismissed (the reviewer found nothing to charge). Both ends are terminal: a second decision is refused.
 */
import { fail, ok, type Result, WalkoutError } from '../errors.ts';
import type { ReviewAlternative } from './types.ts';

export type CaseState = 'open' | 'resolved' | 'dismissed';
export type CaseEvent = 'resolve' | 'dismiss';

export const CASE_TRANSITIONS = {
  open: { resolve: 'resolved', dismiss: 'dismissed' },
  resolved: {},
  dismissed: {},
} as const satisfies Record<CaseState, Partial<Record<CaseEvent, CaseState>>>;

export function nextCaseState(state: CaseState, event: CaseEvent): Result<CaseState, 'CASE_NOT_OPEN'> {
  const row: Partial<Record<CaseEvent, CaseState>> = CASE_TRANSITIONS[state];
  const next = row[event];
  return next === undefined ? fail('CASE_NOT_OPEN', `case is ${state}; cannot ${event}`) : ok(next);
}

/** A choice that charges nobody anything dismisses the case; any other resolves it. */
export function caseEventFor(choice: ReviewAlternative): CaseEvent {
  return choice.sessionId === null || choice.items.every((i) => i.qty === 0) ? 'dismiss' : 'resolve';
}

export function isCaseClosed(state: CaseState): boolean {
  switch (state) {
    case 'open':
      return false;
    case 'resolved':
    case 'dismissed':
      return true;
    default: {
      const never: never = state;
      throw new WalkoutError('BAD_STATUS', `unknown case state ${String(never)}`);
    }
  }
}
