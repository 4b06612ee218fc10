/**
 * An expected business rejection. `code` is stable: the web layer maps it to a problem+json `type`,
 * clients may switch on it. `details` carries machine-readable context (e.g. the fields that differ).
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export type DomainErrorCode =
  | 'invalid-money'
  | 'currency-mismatch'
  | 'unsupported-currency'
  | 'invalid-date'
  | 'invalid-month'
  | 'invalid-category'
  | 'invalid-plan'
  | 'plan-exceeds-income'
  | 'plan-below-allocated'
  | 'too-many-categories'
  | 'month-full'
  | 'transaction-in-other-month'
  | 'month-not-planned'
  | 'date-outside-month'
  | 'unknown-category'
  | 'invalid-amount'
  | 'invalid-expense'
  | 'transaction-id-conflict'
  | 'transaction-not-found'
  | 'transaction-voided'
  | 'user-already-registered'
  | 'user-not-found'
  | 'invalid-profile'
  | 'email-taken'
  | 'weak-password'
  | 'invalid-credentials'
  | 'invalid-refresh-token'
  | 'refresh-token-reused'
  | 'too-many-attempts'
  | 'user-erased'
  | 'unknown-algorithm'
  | 'insufficient-allocation'
  | 'invalid-adjustment'
  | 'invalid-receipt'
  | 'receipt-not-found'
  | 'receipt-not-ready'
  | 'receipt-confirmed'
  | 'invalid-rule'
  | 'rule-not-found'
  | 'goal-not-found'
  | 'goal-id-conflict'
  | 'contribution-id-conflict'
  | 'goal-closed'
  | 'invalid-goal'
  | 'insufficient-savings'
  | 'invalid-goal-plan'
  | 'recurring-not-found'
  | 'invalid-recurring'
  | 'habit-not-found'
  | 'invalid-habit';

export const fail = (code: DomainErrorCode, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, details);
};

/** An invariant the code relies on. A failure is a bug, never a user error. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Invariant violated: ${message}`);
}
