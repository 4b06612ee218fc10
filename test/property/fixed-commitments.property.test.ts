import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlannedCategory } from '../../src/domain/budget-month/events.js';
import { type FixedCommitment, withCommitments } from '../../src/domain/budget-month/fixed-commitments.js';
import { MIN_SAVINGS_PERCENT, suggestPlan } from '../../src/domain/budget-month/plan-suggestion.js';
import type { Category } from '../../src/domain/shared/category.js';
import '../support/fast-check.js';

const NAMES = ['food', 'housing', 'transport', 'utilities', 'fun', 'gym', 'streaming'] as Category[];
const commitments = fc
  .uniqueArray(
    fc.record({
      category: fc.constantFrom(...NAMES),
      amount: fc.bigInt({ min: 1n, max: 10n ** 7n }),
      dueDay: fc.integer({ min: 1, max: 28 }),
    }),
    { selector: (c) => c.category, maxLength: NAMES.length },
  )
  .map((cs) => cs as FixedCommitment[]);
const sum = (cs: readonly PlannedCategory[]) => cs.reduce((s, c) => s + c.amount, 0n);

describe('a plan with recurring commitments', () => {
  it('adds up to the income, plans every commitment as a fixed entry, and shrinks only the rest', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 8n }), commitments, (income, committed) => {
        const suggestion = suggestPlan({ income, history: [] });
        const plan = withCommitments(suggestion, income, committed);
        expect(sum(plan.categories) + plan.savings).toBe(income);
        expect(plan.savings >= 0n && plan.categories.every((c) => c.amount >= 0n)).toBe(true);
        const fixedTotal = committed.reduce((s, c) => s + c.amount, 0n);
        for (const c of committed) {
          const entry = plan.categories.find((p) => p.category === c.category);
          expect(entry).toMatchObject({ kind: 'fixed', dueDay: c.dueDay });
          // In full whenever the income covers every commitment.
          if (fixedTotal <= income) expect((entry?.amount ?? 0n) >= c.amount).toBe(true);
        }
        const spendable = income - (income * MIN_SAVINGS_PERCENT) / 100n;
        const flexible = plan.categories.filter((p) => !committed.some((c) => c.category === p.category));
        const fixed = sum(plan.categories) - sum(flexible);
        // The flexible rest never pushes savings below the minimum: commitments alone can.
        expect(sum(flexible) <= (spendable > fixed ? spendable - fixed : 0n)).toBe(true);
      }),
    );
  });
});
