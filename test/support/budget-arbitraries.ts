import fc from 'fast-check';
import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import type { PlannedCategory } from '../../src/domain/budget-month/events.js';
import type { Category } from '../../src/domain/shared/category.js';
import {
  dateInMonth,
  daysInMonth,
  type LocalDate,
  type YearMonth,
} from '../../src/domain/shared/local-date.js';
import { type Currency, parseCurrency } from '../../src/domain/shared/money.js';

/** Months of 28 to 31 days, currencies with 0, 2 and 3 decimals, 1 to 20 categories. */
export const monthArb = fc
  .record({ year: fc.integer({ min: 2000, max: 2040 }), month: fc.integer({ min: 1, max: 12 }) })
  .map(({ year, month }) => `${year}-${String(month).padStart(2, '0')}` as YearMonth);

export const currencyArb = fc.constantFrom('JPY', 'USD', 'KWD').map((c) => parseCurrency(c));

export const planArb = fc
  .uniqueArray(
    fc.record({
      name: fc.integer({ min: 0, max: 99 }),
      amount: fc.bigInt({ min: 0n, max: 5_000_000n }),
      fixedOn: fc.option(fc.integer({ min: 1, max: 31 }), { freq: 4 }),
    }),
    { minLength: 1, maxLength: 20, selector: (c) => c.name },
  )
  .map((cs) =>
    cs.map(
      ({ name, amount, fixedOn }): PlannedCategory =>
        fixedOn === null
          ? { category: `c${name}` as Category, amount, kind: 'flexible' }
          : { category: `c${name}` as Category, amount, kind: 'fixed', dueDay: fixedOn },
    ),
  );

export interface Scenario {
  readonly month: YearMonth;
  readonly currency: Currency;
  readonly plan: PlannedCategory[];
  readonly steps: Step[];
}

export type Step =
  | { kind: 'record'; tx: number; day: number; category: number; amount: bigint }
  | { kind: 'retry'; of: number }
  | { kind: 'amend'; tx: number; amount: bigint; day: number }
  | { kind: 'void'; tx: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      tx: fc.integer({ min: 0, max: 60 }),
      day: fc.integer({ min: 1, max: 31 }),
      category: fc.nat(),
      amount: fc.bigInt({ min: 1n, max: 400_000n }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), of: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('amend' as const),
      tx: fc.integer({ min: 0, max: 60 }),
      amount: fc.bigInt({ min: 1n, max: 400_000n }),
      day: fc.integer({ min: 1, max: 31 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('void' as const), tx: fc.integer({ min: 0, max: 60 }) }),
  },
);

export const scenarioArb = (maxSteps = 40): fc.Arbitrary<Scenario> =>
  fc.record({
    month: monthArb,
    currency: currencyArb,
    plan: planArb,
    steps: fc.array(stepArb, { maxLength: maxSteps }),
  });

const NOW = '2030-01-01T00:00:00.000Z';

/** Turns abstract steps into concrete commands against the scenario's plan (days clamped to the month). */
export function toCommands(s: Scenario): BudgetMonthCommand[] {
  const days = daysInMonth(s.month);
  const dayOf = (d: number): LocalDate => dateInMonth(s.month, Math.min(d, days));
  const records: BudgetMonthCommand[] = [];
  return s.steps.map((step): BudgetMonthCommand => {
    switch (step.kind) {
      case 'record': {
        const command: BudgetMonthCommand = {
          type: 'RecordExpense',
          data: {
            transactionId: `t${step.tx}`,
            day: dayOf(step.day),
            category: (s.plan[step.category % s.plan.length] as PlannedCategory).category,
            amount: step.amount,
            currency: s.currency,
            source: 'manual',
            now: NOW,
          },
        };
        records.push(command);
        return command;
      }
      case 'retry':
        return records.length > 0
          ? (records[step.of % records.length] as BudgetMonthCommand)
          : { type: 'VoidExpense', data: { transactionId: 'none', now: NOW } };
      case 'amend':
        return {
          type: 'AmendExpense',
          data: {
            transactionId: `t${step.tx}`,
            amount: step.amount,
            day: dayOf(step.day),
            currency: s.currency,
            now: NOW,
          },
        };
      default:
        return { type: 'VoidExpense', data: { transactionId: `t${step.tx}`, now: NOW } };
    }
  });
}

export const planCommand = (s: Scenario): BudgetMonthCommand => ({
  type: 'PlanMonth',
  data: {
    userId: 'u',
    month: s.month,
    currency: s.currency,
    income: s.plan.reduce((sum, c) => sum + c.amount, 0n),
    categories: s.plan,
    now: NOW,
  },
});
