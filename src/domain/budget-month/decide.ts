import type { Category } from '../shared/category.js';
import { fail, invariant } from '../shared/domain-error.js';
import { dateInMonth, dayOfMonth, daysInMonth, type LocalDate, monthOf } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import { cellAmount } from './cells.js';
import type {
  AdjustAllocation,
  AmendExpense,
  BudgetMonthCommand,
  CloseDay,
  PlanMonth,
  Rebalance,
  RecordExpense,
  VoidExpense,
} from './commands.js';
import type { BudgetMonthEvent, ExpenseFields, OverspendDetected } from './events.js';
import { DEFAULT_REDISTRIBUTION, redistribution } from './redistribution.js';
import { ROLLOVER_ALGORITHM, rollover } from './rollover.js';
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
    case 'Rebalance':
      return rebalance(command, requirePlanned(state));
    case 'AdjustAllocation':
      return adjustAllocation(command, requirePlanned(state));
    case 'CloseDay':
      return closeDay(command, requirePlanned(state));
  }
}

/**
 * Covers what is still uncovered in the cell: spent minus allocated, minus any part already declared
 * overdrawn. A second Rebalance for the same overspend finds nothing left and decides nothing.
 */
function rebalance({ data }: Rebalance, state: PlannedMonth): BudgetMonthEvent[] {
  requireInMonth(data.day, state);
  const algorithmName = data.algorithm ?? DEFAULT_REDISTRIBUTION;
  const algorithm = redistribution(algorithmName);
  const day = dayOfMonth(data.day);
  const need =
    cellAmount(state.spent, day, data.category) -
    cellAmount(state.allocated, day, data.category) -
    cellAmount(state.overdrawn, day, data.category);
  if (need <= 0n) return [];
  const takes = algorithm({
    days: daysInMonth(state.month),
    day,
    category: data.category,
    need,
    allocated: state.allocated,
    spent: state.spent,
    plan: state.plan,
  });
  const covered = takes.reduce((t, m) => t + m.amount, 0n);
  invariant(covered <= need, 'a redistribution never covers more than needed');
  invariant(
    takes.every(
      (t) =>
        t.day > day &&
        t.amount > 0n &&
        t.amount <=
          cellAmount(state.allocated, t.day, t.category) - cellAmount(state.spent, t.day, t.category),
    ),
    'a redistribution takes only from what later days have left',
  );
  const events: BudgetMonthEvent[] = [];
  if (covered > 0n) {
    events.push({
      type: 'BudgetRebalanced',
      data: {
        coveredDay: data.day,
        category: data.category,
        amount: covered,
        moves: takes.map((t) => ({
          day: dateInMonth(state.month, t.day),
          category: t.category,
          amount: -t.amount,
        })),
        algorithm: algorithmName,
        causedBy: data.causedBy,
        rebalancedAt: data.now,
      },
    });
  }
  if (covered < need) {
    events.push({
      type: 'MonthOverdrawn',
      data: {
        day: data.day,
        category: data.category,
        shortfall: need - covered,
        causedBy: data.causedBy,
        detectedAt: data.now,
      },
    });
  }
  return events;
}

function adjustAllocation({ data }: AdjustAllocation, state: PlannedMonth): BudgetMonthEvent[] {
  for (const cell of [data.from, data.to]) {
    requireInMonth(cell.day, state);
    requireCategory(cell.category, state);
  }
  if (data.amount <= 0n) fail('invalid-adjustment', 'An adjustment moves an amount greater than zero');
  if (data.from.day === data.to.day && data.from.category === data.to.category) {
    fail('invalid-adjustment', 'An adjustment moves between two different cells');
  }
  const fromDay = dayOfMonth(data.from.day);
  const left =
    cellAmount(state.allocated, fromDay, data.from.category) -
    cellAmount(state.spent, fromDay, data.from.category);
  if (data.amount > left) {
    fail(
      'insufficient-allocation',
      `${data.from.category} on ${data.from.day} has only ${left} minor units left`,
      {
        available: (left > 0n ? left : 0n).toString(),
      },
    );
  }
  return [
    {
      type: 'AllocationAdjusted',
      data: {
        from: data.from,
        to: data.to,
        amount: data.amount,
        ...(data.reason ? { reason: data.reason } : {}),
        adjustedAt: data.now,
      },
    },
  ];
}

function closeDay({ data }: CloseDay, state: PlannedMonth): BudgetMonthEvent[] {
  requireInMonth(data.day, state);
  const day = dayOfMonth(data.day);
  if (state.closedDays.has(day)) return [];
  const { moves, saved } = rollover(
    data.policy,
    day,
    daysInMonth(state.month),
    state.plan,
    state.allocated,
    state.spent,
  );
  return [
    {
      type: 'DayClosed',
      data: {
        day: data.day,
        policy: data.policy,
        moves: moves.map((m) => ({
          day: dateInMonth(state.month, m.day),
          category: m.category,
          amount: m.amount,
        })),
        saved,
        algorithm: ROLLOVER_ALGORITHM,
        closedAt: data.now,
      },
    },
  ];
}

function requireInMonth(day: LocalDate, state: PlannedMonth): void {
  if (monthOf(day) !== state.month)
    fail('date-outside-month', `${day} is not in ${state.month}`, { month: state.month });
}

function requireCategory(category: Category, state: PlannedMonth): void {
  if (!state.plan.some((p) => p.category === category)) {
    fail('unknown-category', `"${category}" is not in the plan for ${state.month}`, {
      category,
      known: state.plan.map((p) => p.category),
    });
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
    if (state.locked) {
      fail(
        'plan-locked',
        `${data.month} already has expenses or budget changes; its plan can no longer be replaced`,
        {
          month: data.month,
        },
      );
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
  requireInMonth(fields.day, state);
  requireCategory(fields.category, state);
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
