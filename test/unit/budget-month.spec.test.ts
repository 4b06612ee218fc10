import { describe, expect, it } from 'vitest';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { PlannedCategory } from '../../src/domain/budget-month/events.js';
import type { YearMonth } from '../../src/domain/shared/local-date.js';
import { parseCurrency } from '../../src/domain/shared/money.js';
import {
  cat,
  day,
  fixed,
  flexible,
  NOW,
  planned,
  record,
  recorded,
  USD,
} from '../support/budget-fixtures.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(budgetMonthDecider);
const food600 = planned([flexible('food', 60000n)]);
const plan = (
  categories: PlannedCategory[],
  extra: { income?: bigint; today?: string; effectiveFrom?: string } = {},
) => ({
  type: 'PlanMonth' as const,
  data: {
    userId: 'u1',
    month: '2025-06' as YearMonth,
    currency: USD,
    income: extra.income ?? 100000n,
    categories,
    ...(extra.today ? { today: day(extra.today) } : {}),
    ...(extra.effectiveFrom ? { effectiveFrom: day(extra.effectiveFrom) } : {}),
    now: NOW,
  },
});

describe('BudgetMonth decider', () => {
  describe('planning', () => {
    it('plans an empty month, categories sorted, with the default split algorithm', () =>
      spec([])
        .when(plan([flexible('rent', 1n), flexible('food', 2n)]))
        .thenEmits([planned([flexible('food', 2n), flexible('rent', 1n)], { income: 100000n })]));

    it('changes nothing when the same plan is sent again', () =>
      spec([planned([flexible('food', 2n)], { income: 100000n })])
        .when(plan([flexible('food', 2n)]))
        .thenEmits([]));

    it('refuses a plan above the income', () =>
      spec([])
        .when(plan([flexible('food', 100001n)]))
        .thenRejects('plan-exceeds-income', { planned: '100001' }));

    it('refuses duplicate categories and fixed categories without a due day', () => {
      spec([])
        .when(plan([flexible('food', 1n), flexible('food', 2n)]))
        .thenRejects('invalid-plan');
      spec([])
        .when(plan([{ category: cat('rent'), amount: 1n, kind: 'fixed' }]))
        .thenRejects('invalid-plan');
    });

    it('re-plans a month with history from the effective day on: earlier days keep their allocations', () =>
      spec([food600, recorded('t1', '2025-06-02', 'food', 100n)])
        .when(plan([flexible('food', 90000n)], { today: '2025-06-16' }))
        .thenEmits([
          {
            type: 'BudgetReplanned',
            data: {
              effectiveFrom: day('2025-06-16'),
              income: 100000n,
              categories: [flexible('food', 90000n)],
              splitAlgorithm: 'even@1',
              // 300.00 more over the 15 days from the 16th: 20.00 a day.
              moves: Array.from({ length: 15 }, (_, i) => ({
                day: day(`2025-06-${String(16 + i)}`),
                category: cat('food'),
                amount: 2000n,
              })),
              replannedAt: NOW,
            },
          },
        ]));

    it('refuses a re-plan below what the days before the effective day already used, naming the category', () =>
      spec([food600, recorded('t1', '2025-06-02', 'food', 100n)])
        .when(plan([flexible('food', 20000n)], { effectiveFrom: '2025-06-16' }))
        // Days 1..15 hold 15 × 20.00 = 300.00 of the 600.00.
        .thenRejects('plan-below-allocated', { categories: [{ category: 'food', minimum: '30000' }] }));

    it('takes a decrease from the unspent days from the effective day on, then detects what it leaves over', () => {
      const state = [food600, recorded('t1', '2025-06-20', 'food', 1500n)].reduce(
        budgetMonthDecider.evolve,
        budgetMonthDecider.initialState(),
      );
      const events = budgetMonthDecider.decide(
        plan([flexible('food', 30000n)], { effectiveFrom: '2025-06-16' }),
        state,
      );
      const [replanned] = events;
      if (replanned?.type !== 'BudgetReplanned') throw new Error('expected BudgetReplanned');
      expect(replanned.data.moves.reduce((t, m) => t + m.amount, 0n)).toBe(-30000n);
      expect(replanned.data.moves.every((m) => m.day >= '2025-06-16')).toBe(true);
      // The 20th had 5.00 unspent out of 20.00; it keeps at least what the other days could not give.
      const after = events.reduce(budgetMonthDecider.evolve, state);
      if (after.status !== 'planned') throw new Error('planned');
      const total = [...after.allocated.values()].reduce((t, v) => t + v, 0n);
      expect(total).toBe(30000n);
    });
  });

  describe('the month as people live it', () => {
    it('keeps expenses of an unplanned month and detects their overspends when the plan arrives', () => {
      spec([])
        .when(record('t1', '2025-06-01', 'food', 2500n))
        .thenEmits([
          {
            type: 'ExpenseRecorded',
            data: { ...recorded('t1', '2025-06-01', 'food', 2500n).data, currency: USD } as never,
          },
        ]);
      const unplanned = {
        type: 'ExpenseRecorded' as const,
        data: { ...(recorded('t1', '2025-06-01', 'food', 2500n).data as object), currency: USD } as never,
      };
      spec([unplanned])
        .when(plan([flexible('food', 60000n)]))
        .thenEmits([
          planned([flexible('food', 60000n)], { income: 100000n }),
          {
            type: 'OverspendDetected',
            data: { day: day('2025-06-01'), category: cat('food'), overBy: 500n, causedBy: 't1' },
          },
        ]);
    });

    it('lets an expense in a category the plan does not name join the month with nothing planned', () => {
      spec([food600])
        .when(record('t1', '2025-06-03', 'gifts', 1000n))
        .thenEmits([
          recorded('t1', '2025-06-03', 'gifts', 1000n),
          {
            type: 'OverspendDetected',
            data: { day: day('2025-06-03'), category: cat('gifts'), overBy: 1000n, causedBy: 't1' },
          },
        ]);
    });

    it('gives back the declared shortfall when the expense that caused it is voided', () => {
      const overdrawn = {
        type: 'MonthOverdrawn' as const,
        data: {
          day: day('2025-06-29'),
          category: cat('food'),
          shortfall: 6000n,
          causedBy: 't1',
          detectedAt: NOW,
        },
      };
      const rebalanced = {
        type: 'BudgetRebalanced' as const,
        data: {
          coveredDay: day('2025-06-29'),
          category: cat('food'),
          amount: 2000n,
          moves: [{ day: day('2025-06-30'), category: cat('food'), amount: -2000n }],
          algorithm: 'proportional@1',
          causedBy: 't1',
          rebalancedAt: NOW,
        },
      };
      spec([food600, recorded('t1', '2025-06-29', 'food', 10000n), rebalanced, overdrawn])
        .when({ type: 'VoidExpense', data: { transactionId: 't1', now: NOW } })
        .thenEmits([
          { type: 'ExpenseVoided', data: { transactionId: 't1', voidedAt: NOW } },
          {
            type: 'ShortfallReduced',
            data: {
              day: day('2025-06-29'),
              category: cat('food'),
              amount: 6000n,
              transactionId: 't1',
              reducedAt: NOW,
            },
          },
        ]);
    });
  });

  describe('recording expenses', () => {
    it('records an expense within the day allocation without an overspend', () =>
      spec([food600])
        .when(record('t1', '2025-06-01', 'food', 2000n))
        .thenEmits([recorded('t1', '2025-06-01', 'food', 2000n)]));

    it('detects an overspend in the same decision, by the newly exceeded part only', () => {
      spec([food600])
        .when(record('t1', '2025-06-01', 'food', 2500n))
        .thenEmits([
          recorded('t1', '2025-06-01', 'food', 2500n),
          {
            type: 'OverspendDetected',
            data: { day: day('2025-06-01'), category: cat('food'), overBy: 500n, causedBy: 't1' },
          },
        ]);
      spec([food600, recorded('t1', '2025-06-01', 'food', 2500n)])
        .when(record('t2', '2025-06-01', 'food', 300n))
        .thenEmits([
          recorded('t2', '2025-06-01', 'food', 300n),
          {
            type: 'OverspendDetected',
            data: { day: day('2025-06-01'), category: cat('food'), overBy: 300n, causedBy: 't2' },
          },
        ]);
    });

    it('puts a fixed category whole on its due day, clamped to the month', () => {
      const rent = planned([fixed('rent', 90000n, 31)]);
      spec([rent])
        .when(record('t1', '2025-06-30', 'rent', 90000n))
        .thenEmits([recorded('t1', '2025-06-30', 'rent', 90000n)]);
      spec([rent])
        .when(record('t1', '2025-06-29', 'rent', 1n))
        .thenEmits([
          recorded('t1', '2025-06-29', 'rent', 1n),
          {
            type: 'OverspendDetected',
            data: { day: day('2025-06-29'), category: cat('rent'), overBy: 1n, causedBy: 't1' },
          },
        ]);
    });

    it('treats the same transaction id with the same fields as already done', () =>
      spec([food600, recorded('t1', '2025-06-01', 'food', 100n)])
        .when(record('t1', '2025-06-01', 'food', 100n))
        .thenEmits([]));

    it('rejects the same transaction id with other fields, naming them', () =>
      spec([food600, recorded('t1', '2025-06-01', 'food', 100n)])
        .when(record('t1', '2025-06-02', 'food', 101n, { merchant: 'Cafe' }))
        .thenRejects('transaction-id-conflict', { fields: ['day', 'amount', 'merchant'] }));

    it('rejects expenses the month cannot hold', () => {
      spec([food600])
        .when(record('t1', '2025-07-01', 'food', 1n))
        .thenRejects('date-outside-month');
      spec([food600])
        .when(record('t1', '2025-06-01', 'food', 0n))
        .thenRejects('invalid-amount');
      spec([food600])
        .when(record('t1', '2025-06-01', 'food', 1n, { currency: parseCurrency('EUR') }))
        .thenRejects('currency-mismatch');
    });
  });

  describe('corrections', () => {
    const given = [food600, recorded('t1', '2025-06-01', 'food', 1500n)];

    it('amends an expense with its complete new fields and detects an overspend it causes', () =>
      spec(given)
        .when({ type: 'AmendExpense', data: { transactionId: 't1', amount: 2100n, currency: USD, now: NOW } })
        .thenEmits([
          {
            type: 'ExpenseAmended',
            data: {
              transactionId: 't1',
              day: day('2025-06-01'),
              category: cat('food'),
              amount: 2100n,
              amendedAt: NOW,
            },
          },
          {
            type: 'OverspendDetected',
            data: { day: day('2025-06-01'), category: cat('food'), overBy: 100n, causedBy: 't1' },
          },
        ]));

    it('refuses a category beyond the limit of 50 per month', () => {
      const many = planned(Array.from({ length: 50 }, (_, i) => flexible(`c${i}`, 1n)));
      spec([many])
        .when(record('t1', '2025-06-01', 'one-more', 1n))
        .thenRejects('too-many-categories');
    });

    it('voids once; voiding again changes nothing; a voided expense cannot be amended', () => {
      const voided = { type: 'ExpenseVoided' as const, data: { transactionId: 't1', voidedAt: NOW } };
      spec(given)
        .when({ type: 'VoidExpense', data: { transactionId: 't1', now: NOW } })
        .thenEmits([voided]);
      spec([...given, voided])
        .when({ type: 'VoidExpense', data: { transactionId: 't1', now: NOW } })
        .thenEmits([]);
      spec([...given, voided])
        .when({ type: 'AmendExpense', data: { transactionId: 't1', amount: 1n, currency: USD, now: NOW } })
        .thenRejects('transaction-voided');
      spec(given)
        .when({ type: 'VoidExpense', data: { transactionId: 'nope', now: NOW } })
        .thenRejects('transaction-not-found');
    });
  });
});

describe('BudgetMonth rebalancing', () => {
  const overspent = [food600, recorded('t1', '2025-06-01', 'food', 2500n)];
  const rebalance = (algorithm?: string) => ({
    type: 'Rebalance' as const,
    data: {
      day: day('2025-06-01'),
      category: cat('food'),
      causedBy: 't1',
      now: NOW,
      ...(algorithm ? { algorithm } : {}),
    },
  });

  it('covers a day-1 overspend of 5.00 from days 2..30 in proportion to what they have left', () => {
    const [event] = budgetMonthDecider.decide(
      rebalance(),
      overspent.reduce(budgetMonthDecider.evolve, budgetMonthDecider.initialState()),
    );
    if (event?.type !== 'BudgetRebalanced') throw new Error(`expected BudgetRebalanced, got ${event?.type}`);
    expect(event.data.amount).toBe(500n);
    expect(event.data.algorithm).toBe('proportional@1');
    expect(event.data.moves).toHaveLength(29);
    // 500 over 29 equal days: 7 days give 18, 22 give 17 — largest remainder, earliest first.
    expect(event.data.moves.map((m) => -m.amount)).toEqual([...Array(7).fill(18n), ...Array(22).fill(17n)]);
    expect(event.data.moves[0]?.day).toBe('2025-06-02');
  });

  it('covers from the soonest days under nearest-first@1', () => {
    const [event] = budgetMonthDecider.decide(
      rebalance('nearest-first@1'),
      overspent.reduce(budgetMonthDecider.evolve, budgetMonthDecider.initialState()),
    );
    expect(event).toMatchObject({
      type: 'BudgetRebalanced',
      data: { amount: 500n, moves: [{ day: '2025-06-02', amount: -500n }] },
    });
  });

  it('declares what the rest of the month cannot cover as MonthOverdrawn with the exact shortfall', () =>
    spec([food600, recorded('t1', '2025-06-29', 'food', 10000n)])
      .when({
        type: 'Rebalance',
        data: { day: day('2025-06-29'), category: cat('food'), causedBy: 't1', now: NOW },
      })
      .thenEmits([
        {
          type: 'BudgetRebalanced',
          data: {
            coveredDay: day('2025-06-29'),
            category: cat('food'),
            amount: 2000n,
            moves: [{ day: day('2025-06-30'), category: cat('food'), amount: -2000n }],
            algorithm: 'proportional@1',
            causedBy: 't1',
            rebalancedAt: NOW,
          },
        },
        {
          type: 'MonthOverdrawn',
          data: {
            day: day('2025-06-29'),
            category: cat('food'),
            shortfall: 6000n,
            causedBy: 't1',
            detectedAt: NOW,
          },
        },
      ]));

  it('takes from other flexible categories once the same category is exhausted, never from fixed ones', () => {
    const plan = planned([flexible('food', 3000n), flexible('fun', 3000n), fixed('rent', 50000n, 30)]);
    const state = [plan, recorded('t1', '2025-06-28', 'food', 1000n)].reduce(
      budgetMonthDecider.evolve,
      budgetMonthDecider.initialState(),
    );
    const [event, overdrawn] = budgetMonthDecider.decide(
      {
        type: 'Rebalance',
        data: { day: day('2025-06-28'), category: cat('food'), causedBy: 't1', now: NOW },
      },
      state,
    );
    expect(overdrawn).toMatchObject({ type: 'MonthOverdrawn', data: { shortfall: 500n } });
    expect(event).toMatchObject({
      type: 'BudgetRebalanced',
      data: {
        amount: 400n,
        moves: [
          { day: '2025-06-29', category: 'food', amount: -100n },
          { day: '2025-06-30', category: 'food', amount: -100n },
          { day: '2025-06-29', category: 'fun', amount: -100n },
          { day: '2025-06-30', category: 'fun', amount: -100n },
        ],
      },
    });
  });
});
