import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CategoryHistory } from '../../src/domain/budget-month/plan-suggestion.js';
import { recommendBudget } from '../../src/domain/planning/budget-recommendation.js';
import { healthScore } from '../../src/domain/planning/health-score.js';
import type { Category } from '../../src/domain/shared/category.js';
import '../support/fast-check.js';

const spent = (category: string, amount: bigint): CategoryHistory => ({
  category: category as Category,
  spent: amount,
});

describe('budget recommendation', () => {
  it('is 50/30/20 without history or goals', () => {
    expect(recommendBudget({ income: 300000n, history: [], goalsMonthly: 0n, recurringMonthly: 0n })).toEqual(
      {
        needs: 150000n,
        wants: 90000n,
        savings: 60000n,
        adjustments: [],
      },
    );
  });

  it('raises needs to what they cost and savings to what the goals need, from wants', () => {
    const r = recommendBudget({
      income: 300000n,
      history: [[spent('rent', 170000n), spent('fun', 10000n)]],
      goalsMonthly: 80000n,
      recurringMonthly: 0n,
    });
    expect(r).toEqual({
      needs: 170000n,
      wants: 50000n,
      savings: 80000n,
      adjustments: ['needs-from-history', 'savings-for-goals'],
    });
  });

  it('always adds up to the income exactly, no part negative', () => {
    const amount = fc.bigInt({ min: 0n, max: 10n ** 9n });
    fc.assert(
      fc.property(amount, amount, amount, amount, (income, needs, goals, recurring) => {
        const r = recommendBudget({
          income,
          history: [[spent('rent', needs)]],
          goalsMonthly: goals,
          recurringMonthly: recurring,
        });
        expect(r.needs + r.wants + r.savings).toBe(income);
        expect(r.needs >= 0n && r.wants >= 0n && r.savings >= 0n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('health score', () => {
  it('shows each component and weighs them into 0-100', () => {
    const result = healthScore({
      income: 300000n,
      spent: 240000n,
      dailySpending: [8000n, 8000n, 8000n],
      saved: 360000n,
      monthlySpending: 240000n,
      goalProgress: [50, 100],
    });
    expect(result.components).toEqual([
      { name: 'savings-rate', score: 100, weight: 30 },
      { name: 'spending-consistency', score: 100, weight: 20 },
      { name: 'emergency-fund', score: 50, weight: 25 },
      { name: 'goal-progress', score: 75, weight: 25 },
    ]);
    expect(result.score).toBe(81);
  });
});
