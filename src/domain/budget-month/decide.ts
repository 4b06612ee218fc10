import { fail } from '../shared/domain-error.js';
import { dayOfMonth, monthOf } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import { cellAmount } from './cells.js';
import type { AmendExpense, BudgetMonthCommand, PlanMonth, RecordExpense, VoidExpense } from './commands.js';
import type { BudgetMonthEvent, ExpenseFields, OverspendDetected } from './events.js';
import { DEFAULT_SPLIT_ALGORITHM, splitAlgorithm } from './split-algorithms.js';
import { type BudgetMonthState, evolveBudgetMonth, type PlannedMonth } from './state.js';

const MAX_CATEGORIES = 50;
const MAX_TEXT = 200;

export function decideBudgetMonth(command: BudgetMonthCommand, state: BudgetMonthState): BudgetMonthEvent[] {
  switch (command.type) {
    case 'PlanMonth':
      return planMonth(command, state);
    case 'RecordExpense':
      return recordExpense(command, requirePlanned(state));
    case 'AmendExpense':
      return amendExpense(command, requirePlanned(state));
    case 'VoidExpense':
      return voidExpense(command, requirePlanned(state));
  }
}

function planMonth({ data }: PlanMonth, state: BudgetMonthState): BudgetMonthEvent[] {
  const algorithm = data.splitAlgorithm ?? DEFAULT_SPLIT_ALGORITHM;
  splitAlgorithm(algorithm);
  validatePlan(data);
  const categories = [...data.categories].sort((a, b) => (a.category < b.category ? -1 : 1));
  if (state.status === 'planned') {
    const same =
      state.splitAlgorithm === algorithm &&
      state.income === data.income &&
      state.currency === data.currency &&
      samePlan(state.plan, categories);
    if (same) return [];
    if (state.transactions.size > 0) {
      fail('plan-locked', `${data.month} already has expenses; its plan can no longer be replaced`, {
        month: data.month,
      });
    }
  }
  return [
    {
      type: 'BudgetPlanned',
      data: {
        userId: data.userId,
        month: data.month,
        currency: data.currency,
        income: data.income,
        categories,
        splitAlgorithm: algorithm,
        plannedAt: data.now,
      },
    },
  ];
}

function validatePlan(data: PlanMonth['data']): void {
  const { categories, income } = data;
  if (categories.length === 0 || categories.length > MAX_CATEGORIES) {
    fail('invalid-plan', `A plan has 1 to ${MAX_CATEGORIES} categories`);
  }
  const seen = new Set<string>();
  let total = 0n;
  for (const { category, amount, kind, dueDay } of categories) {
    if (seen.has(category)) fail('invalid-plan', `Category "${category}" appears twice`, { category });
    seen.add(category);
    if (amount < 0n) fail('invalid-plan', `Category "${category}" has a negative amount`, { category });
    if (
      kind === 'fixed' &&
      (dueDay === undefined || !Number.isInteger(dueDay) || dueDay < 1 || dueDay > 31)
    ) {
      fail('invalid-plan', `Fixed category "${category}" needs a dueDay from 1 to 31`, { category });
    }
    if (kind === 'flexible' && dueDay !== undefined) {
      fail('invalid-plan', `Flexible category "${category}" has no dueDay`, { category });
    }
    total += amount;
  }
  if (income < 0n) fail('invalid-plan', 'Income is negative');
  if (total > income) {
    fail('plan-exceeds-income', 'The planned categories add up to more than the income', {
      planned: total.toString(),
      income: income.toString(),
    });
  }
}

const samePlan = (a: PlannedMonth['plan'], b: PlannedMonth['plan']): boolean =>
  a.length === b.length &&
  a.every((x, i) => {
    const y = b[i];
    return (
      y && x.category === y.category && x.amount === y.amount && x.kind === y.kind && x.dueDay === y.dueDay
    );
  });

function recordExpense({ data }: RecordExpense, state: PlannedMonth): BudgetMonthEvent[] {
  const fields: ExpenseFields = {
    day: data.day,
    category: data.category,
    amount: data.amount,
    merchant: data.merchant,
    note: data.note,
  };
  validateExpense(fields, data.currency, state);
  const existing = state.transactions.get(data.transactionId);
  if (existing) {
    const differing = differingFields(existing.recorded, fields);
    if (differing.length === 0) return [];
    return fail(
      'transaction-id-conflict',
      `Transaction ${data.transactionId} was recorded with other ${differing.join(', ')}`,
      { transactionId: data.transactionId, fields: differing },
    );
  }
  return withOverspend(state, data.transactionId, {
    type: 'ExpenseRecorded',
    data: {
      transactionId: data.transactionId,
      ...definedOnly(fields),
      source: data.source,
      ...(data.idempotencyKey === undefined ? {} : { idempotencyKey: data.idempotencyKey }),
      recordedAt: data.now,
    },
  });
}

function amendExpense({ data }: AmendExpense, state: PlannedMonth): BudgetMonthEvent[] {
  const existing = liveTransaction(state, data.transactionId);
  const { current } = existing;
  const next: ExpenseFields = {
    day: data.day ?? current.day,
    category: data.category ?? current.category,
    amount: data.amount ?? current.amount,
    merchant: data.merchant === null ? undefined : (data.merchant ?? current.merchant),
    note: data.note === null ? undefined : (data.note ?? current.note),
  };
  validateExpense(next, data.currency, state);
  if (differingFields(current, next).length === 0) return [];
  return withOverspend(state, data.transactionId, {
    type: 'ExpenseAmended',
    data: { transactionId: data.transactionId, ...definedOnly(next), amendedAt: data.now },
  });
}

function voidExpense({ data }: VoidExpense, state: PlannedMonth): BudgetMonthEvent[] {
  const existing = state.transactions.get(data.transactionId);
  if (!existing) return fail('transaction-not-found', `No transaction ${data.transactionId} in this month`);
  if (existing.voided) return [];
  return [
    {
      type: 'ExpenseVoided',
      data: {
        transactionId: data.transactionId,
        ...(data.reason === undefined ? {} : { reason: data.reason }),
        voidedAt: data.now,
      },
    },
  ];
}

/**
 * Appends OverspendDetected to an expense event when it pushes its (day, category) over the allocation.
 * `overBy` is only the newly exceeded part: spending that was already over, and not yet rebalanced,
 * is not reported twice.
 */
function withOverspend(
  state: PlannedMonth,
  transactionId: string,
  event: Extract<BudgetMonthEvent, { type: 'ExpenseRecorded' | 'ExpenseAmended' }>,
): BudgetMonthEvent[] {
  const after = evolveBudgetMonth(state, event) as PlannedMonth;
  const day = dayOfMonth(event.data.day);
  const { category } = event.data;
  const allocated = cellAmount(state.allocated, day, category);
  const spentBefore = cellAmount(state.spent, day, category);
  const spentAfter = cellAmount(after.spent, day, category);
  const overBy = spentAfter - maxOf(allocated, spentBefore);
  if (overBy <= 0n) return [event];
  const overspend: OverspendDetected = {
    type: 'OverspendDetected',
    data: { day: event.data.day, category, overBy, causedBy: transactionId },
  };
  return [event, overspend];
}

function validateExpense(fields: ExpenseFields, currency: Currency, state: PlannedMonth): void {
  if (currency !== state.currency) {
    fail('currency-mismatch', `${state.month} is budgeted in ${state.currency}, not ${currency}`, {
      expected: state.currency,
      actual: currency,
    });
  }
  if (monthOf(fields.day) !== state.month) {
    fail('date-outside-month', `${fields.day} is not in ${state.month}`, { month: state.month });
  }
  if (!state.plan.some((p) => p.category === fields.category)) {
    fail('unknown-category', `"${fields.category}" is not in the plan for ${state.month}`, {
      category: fields.category,
      known: state.plan.map((p) => p.category),
    });
  }
  if (fields.amount <= 0n) fail('invalid-amount', 'An expense amount is greater than zero');
  for (const key of ['merchant', 'note'] as const) {
    const text = fields[key];
    if (text !== undefined && text.length > MAX_TEXT) {
      fail('invalid-expense', `${key} is longer than ${MAX_TEXT} characters`);
    }
  }
}

function liveTransaction(state: PlannedMonth, transactionId: string) {
  const existing = state.transactions.get(transactionId);
  if (!existing) return fail('transaction-not-found', `No transaction ${transactionId} in this month`);
  if (existing.voided) return fail('transaction-voided', `Transaction ${transactionId} was voided`);
  return existing;
}

const maxOf = (a: bigint, b: bigint): bigint => (a > b ? a : b);

const EXPENSE_FIELDS = ['day', 'category', 'amount', 'merchant', 'note'] as const;

const differingFields = (a: ExpenseFields, b: ExpenseFields): string[] =>
  EXPENSE_FIELDS.filter((key) => a[key] !== b[key]);

const definedOnly = (fields: ExpenseFields): ExpenseFields =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as ExpenseFields;

function requirePlanned(state: BudgetMonthState): PlannedMonth {
  if (state.status !== 'planned') return fail('month-not-planned', 'This month has no budget plan yet');
  return state;
}
