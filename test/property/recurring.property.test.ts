import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueExpenses, isAlreadyRecorded } from '../../src/application/recurring/due-expenses.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { BudgetMonthState } from '../../src/domain/budget-month/state.js';
import type { RecurringExpense } from '../../src/domain/recurring/recurring.js';
import type { Category } from '../../src/domain/shared/category.js';
import { type LocalDate, monthOf } from '../../src/domain/shared/local-date.js';
import { parseCurrency } from '../../src/domain/shared/money.js';
import '../support/fast-check.js';

const USD = parseCurrency('USD');
const day = (offset: number) => {
  const d = new Date(Date.UTC(2025, 0, 1));
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10) as LocalDate;
};

const entry = fc
  .record({
    frequency: fc.constantFrom('weekly' as const, 'monthly' as const, 'yearly' as const),
    start: fc.integer({ min: 0, max: 400 }),
    added: fc.integer({ min: 0, max: 400 }),
    amount: fc.bigInt({ min: 1n, max: 100_000n }),
  })
  .map(
    (e): RecurringExpense => ({
      recurringId: 'r1',
      name: 'Rent',
      amount: e.amount,
      category: 'rent' as Category,
      schedule: { frequency: e.frequency, startDate: day(e.start) },
      addedOn: day(e.added),
      removed: false,
    }),
  );

/** A run on a day, with the entry's amount as it then is (terms change between runs). */
const runs = fc.array(
  fc.record({ today: fc.integer({ min: 0, max: 800 }), amount: fc.bigInt({ min: 1n, max: 9n }) }),
  {
    minLength: 1,
    maxLength: 12,
  },
);

describe('Recurring expense properties', () => {
  it('runs repeated, restarted, out of order or with changed terms record each period once', () => {
    fc.assert(
      fc.property(entry, runs, fc.boolean(), (recurring, schedule, repeatEach) => {
        const months = new Map<string, BudgetMonthState>();
        const recordedIds: string[] = [];
        const everDue = new Set<string>();
        const allRuns = repeatEach ? schedule.flatMap((r) => [r, r]) : schedule;
        for (const run of allRuns) {
          const current = { ...recurring, amount: recurring.amount * run.amount };
          for (const due of dueExpenses(current, day(run.today))) {
            everDue.add(due.transactionId);
            const month = monthOf(due.day);
            const state = months.get(month) ?? budgetMonthDecider.initialState();
            try {
              const events = budgetMonthDecider.decide(
                {
                  type: 'RecordExpense',
                  data: {
                    transactionId: due.transactionId,
                    day: due.day,
                    category: due.category,
                    amount: due.amount,
                    currency: USD,
                    merchant: due.merchant,
                    source: 'recurring',
                    now: '2025-01-01T00:00:00.000Z',
                  },
                },
                state,
              );
              for (const e of events)
                if (e.type === 'ExpenseRecorded') recordedIds.push(e.data.transactionId);
              months.set(month, events.reduce(budgetMonthDecider.evolve, state));
            } catch (error) {
              if (!isAlreadyRecorded(error)) throw error;
            }
          }
        }
        expect(new Set(recordedIds).size).toBe(recordedIds.length);
        expect(new Set(recordedIds)).toEqual(everDue);
        for (const id of recordedIds) expect(everDue.has(id)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('never records an occurrence before the day the expense was added', () => {
    fc.assert(
      fc.property(entry, fc.integer({ min: 0, max: 800 }), (recurring, today) => {
        for (const due of dueExpenses(recurring, day(today))) {
          expect(due.day >= recurring.addedOn && due.day >= recurring.schedule.startDate).toBe(true);
          expect(due.day <= day(today)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
