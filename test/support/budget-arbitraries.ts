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
  | { kind: 'void'; tx: number }
  /** Rebalances the cell of an earlier recorded expense, as the reaction to its overspend would. */
  | { kind: 'rebalance'; of: number; algorithm: string }
  | {
      kind: 'adjust';
      fromDay: number;
      fromCategory: number;
      toDay: number;
      toCategory: number;
      amount: bigint;
    }
  | { kind: 'close'; day: number; policy: 'forward' | 'savings' | 'none' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      tx: fc.integer({ min: 0, max: 60 }),
      day: fc.integer({ min: 1, max: 31 }),
      category: fc.nat(),
      amount: fc.oneof(fc.bigInt({ min: 1n, max: 20_000n }), fc.bigInt({ min: 1n, max: 400_000n })),
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
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('rebalance' as const),
      of: fc.nat(),
      algorithm: fc.constantFrom('proportional@1', 'nearest-first@1'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      fromDay: fc.integer({ min: 1, max: 31 }),
      fromCategory: fc.nat(),
      toDay: fc.integer({ min: 1, max: 31 }),
      toCategory: fc.nat(),
      amount: fc.bigInt({ min: 1n, max: 50_000n }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('close' as const),
      day: fc.integer({ min: 1, max: 31 }),
      policy: fc.constantFrom('forward' as const, 'savings' as const, 'none' as const),
    }),
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
  const categoryAt = (i: number) => (s.plan[i % s.plan.length] as PlannedCategory).category;
  const records: BudgetMonthCommand[] = [];
  /** Amendments and voids mostly name an expense recorded earlier, sometimes one that does not exist. */
  const earlierTx = (i: number) => {
    const target = records[i % Math.max(records.length + 1, 1)];
    return target?.type === 'RecordExpense' ? target.data.transactionId : `missing-${i}`;
  };
  return s.steps.map((step): BudgetMonthCommand => {
    switch (step.kind) {
      case 'record': {
        const command: BudgetMonthCommand = {
          type: 'RecordExpense',
          data: {
            transactionId: `t${step.tx}`,
            day: dayOf(step.day),
            category: categoryAt(step.category),
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
            transactionId: earlierTx(step.tx),
            amount: step.amount,
            day: dayOf(step.day),
            currency: s.currency,
            now: NOW,
          },
        };
      case 'rebalance': {
        const target = records[step.of % Math.max(records.length, 1)];
        if (target?.type !== 'RecordExpense')
          return { type: 'VoidExpense', data: { transactionId: 'none', now: NOW } };
        return {
          type: 'Rebalance',
          data: {
            day: target.data.day,
            category: target.data.category,
            causedBy: target.data.transactionId,
            algorithm: step.algorithm,
            now: NOW,
          },
        };
      }
      case 'adjust':
        return {
          type: 'AdjustAllocation',
          data: {
            from: { day: dayOf(step.fromDay), category: categoryAt(step.fromCategory) },
            to: { day: dayOf(step.toDay), category: categoryAt(step.toCategory) },
            amount: step.amount,
            now: NOW,
          },
        };
      case 'close':
        return { type: 'CloseDay', data: { day: dayOf(step.day), policy: step.policy, now: NOW } };
      default:
        return { type: 'VoidExpense', data: { transactionId: earlierTx(step.tx), now: NOW } };
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
