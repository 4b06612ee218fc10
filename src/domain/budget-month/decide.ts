import type { Category } from '../shared/category.js';
import { fail, invariant } from '../shared/domain-error.js';
import { dateInMonth, dayOfMonth, daysInMonth, type LocalDate, monthOf } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import { cellAmount, parseCellKey } from './cells.js';
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
import { type CellAt, consequences } from './consequences.js';
import type { BudgetMonthEvent, ExpenseFields, PlannedCategory } from './events.js';
import { DEFAULT_REDISTRIBUTION, redistribution } from './redistribution.js';
import { replan } from './replan.js';
import { ROLLOVER_ALGORITHM, rollover } from './rollover.js';
import { DEFAULT_SPLIT_ALGORITHM, splitAlgorithm } from './split-algorithms.js';
import {
  type BudgetMonthState,
  evolveBudgetMonth,
  type PlannedMonth,
  type UnplannedMonth,
  withCategory,
} from './state.js';

const MAX_CATEGORIES = 50;
/**
 * Events a month may hold before the user's own commands are refused: about forty times the busiest
 * real month, so it stops runaway scripts, not people. Rebalances and day closes still run (each user
 * command causes at most one or two), so a full month stays consistent.
 */
export const MAX_EVENTS_PER_MONTH = 20_000;
const MAX_TEXT = 200;

export function decideBudgetMonth(command: BudgetMonthCommand, state: BudgetMonthState): BudgetMonthEvent[] {
  if (command.type !== 'Rebalance' && command.type !== 'CloseDay' && state.events >= MAX_EVENTS_PER_MONTH) {
    fail('month-full', `A month holds at most ${MAX_EVENTS_PER_MONTH} events`, {
      limit: MAX_EVENTS_PER_MONTH,
    });
  }
  switch (command.type) {
    case 'PlanMonth':
      return planMonth(command, state);
    case 'RecordExpense':
      return recordExpense(command, state);
    case 'AmendExpense':
      return amendExpense(command, state);
    case 'VoidExpense':
      return voidExpense(command, state);
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
  const adjusted: BudgetMonthEvent = {
    type: 'AllocationAdjusted',
    data: {
      from: data.from,
      to: data.to,
      amount: data.amount,
      ...(data.reason ? { reason: data.reason } : {}),
      adjustedAt: data.now,
    },
  };
  // More allocation in the receiving cell can shrink a shortfall declared there.
  const after = evolveBudgetMonth(state, adjusted) as PlannedMonth;
  return [
    adjusted,
    ...consequences(state, after, [{ day: dayOfMonth(data.to.day), category: data.to.category }], data.now),
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
  const closed: BudgetMonthEvent = {
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
  };
  // Leftovers rolled forward into a cell declared overdrawn shrink its shortfall.
  const after = evolveBudgetMonth(state, closed) as PlannedMonth;
  const received = moves.filter((m) => m.amount > 0n);
  return [closed, ...consequences(state, after, received, data.now)];
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
  if (state.status === 'unplanned') return firstPlan(data, categories, algorithm, state);
  // An automatic plan only ever fills a month without one.
  if (data.reason !== undefined && data.reason !== 'manual') return [];
  if (!state.locked && data.effectiveFrom === undefined) {
    const same =
      state.splitAlgorithm === algorithm &&
      state.income === data.income &&
      state.currency === data.currency &&
      samePlan(state.plan, categories);
    return same ? [] : [plannedEvent(data, categories, algorithm)];
  }
  return replanMonth(data, categories, algorithm, state);
}

const plannedEvent = (
  data: PlanMonth['data'],
  categories: PlannedCategory[],
  algorithm: string,
): BudgetMonthEvent => ({
  type: 'BudgetPlanned',
  data: {
    userId: data.userId,
    month: data.month,
    currency: data.currency,
    income: data.income,
    categories,
    splitAlgorithm: algorithm,
    ...(data.reason ? { reason: data.reason } : {}),
    plannedAt: data.now,
  },
});

/**
 * The first plan of a month that may already hold expenses: their categories join the plan (nothing
 * planned for the ones it does not name) and every cell they overspend is detected at once.
 */
function firstPlan(
  data: PlanMonth['data'],
  categories: PlannedCategory[],
  algorithm: string,
  state: UnplannedMonth,
): BudgetMonthEvent[] {
  if (state.currency !== undefined && state.currency !== data.currency) {
    fail('currency-mismatch', `${data.month} has expenses in ${state.currency}, not ${data.currency}`, {
      expected: state.currency,
      actual: data.currency,
    });
  }
  let plan: readonly PlannedCategory[] = categories;
  for (const { category } of state.plan) plan = withCategory(plan, category);
  requireCategoryLimit(plan.length);
  const planned = plannedEvent(data, [...plan], algorithm);
  const after = evolveBudgetMonth(state, planned) as PlannedMonth;
  const cells = [...state.spent.keys()].map(parseCellKey);
  return [planned, ...consequences(state, after, cells, data.now)];
}

/** A plan change from an effective day on, in a month with history (see `replan`). */
function replanMonth(
  data: PlanMonth['data'],
  categories: PlannedCategory[],
  algorithm: string,
  state: PlannedMonth,
): BudgetMonthEvent[] {
  if (data.currency !== state.currency) {
    fail('currency-mismatch', `${state.month} is budgeted in ${state.currency}, not ${data.currency}`, {
      expected: state.currency,
      actual: data.currency,
    });
  }
  const from = effectiveDay(data, state);
  const changed = replan(state, categories, algorithm, from);
  requireCategoryLimit(changed.categories.length);
  const same =
    changed.moves.length === 0 &&
    state.splitAlgorithm === algorithm &&
    state.income === data.income &&
    samePlan(state.plan, changed.categories);
  if (same) return [];
  const replanned: BudgetMonthEvent = {
    type: 'BudgetReplanned',
    data: {
      effectiveFrom: dateInMonth(state.month, from),
      income: data.income,
      categories: changed.categories,
      splitAlgorithm: algorithm,
      moves: changed.moves,
      ...(data.reason ? { reason: data.reason } : {}),
      replannedAt: data.now,
    },
  };
  const after = evolveBudgetMonth(state, replanned) as PlannedMonth;
  const cells = changed.moves.map((m) => ({ day: dayOfMonth(m.day), category: m.category }));
  return [replanned, ...consequences(state, after, cells, data.now)];
}

/** The explicit effective day, or the user's today clamped into the month (day 1 without a today). */
function effectiveDay(data: PlanMonth['data'], state: PlannedMonth): number {
  if (data.effectiveFrom !== undefined) {
    requireInMonth(data.effectiveFrom, state);
    return dayOfMonth(data.effectiveFrom);
  }
  if (data.today === undefined) return 1;
  const month = monthOf(data.today);
  if (month < state.month) return 1;
  if (month > state.month) return daysInMonth(state.month);
  return dayOfMonth(data.today);
}

function requireCategoryLimit(count: number): void {
  if (count > MAX_CATEGORIES) {
    fail('too-many-categories', `A month has at most ${MAX_CATEGORIES} categories`, {
      limit: MAX_CATEGORIES,
    });
  }
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

function recordExpense({ data }: RecordExpense, state: BudgetMonthState): BudgetMonthEvent[] {
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
  const recorded: BudgetMonthEvent = {
    type: 'ExpenseRecorded',
    data: {
      transactionId: data.transactionId,
      ...definedOnly(fields),
      // Without a plan nothing else says the month's currency yet.
      ...(state.status === 'unplanned' ? { currency: data.currency } : {}),
      source: data.source,
      ...(data.categorizedBy === undefined ? {} : { categorizedBy: data.categorizedBy }),
      ...(data.idempotencyKey === undefined ? {} : { idempotencyKey: data.idempotencyKey }),
      recordedAt: data.now,
    },
  };
  return withConsequences(state, recorded, [cellOf(fields)], data.now, data.transactionId);
}

function amendExpense({ data }: AmendExpense, state: BudgetMonthState): BudgetMonthEvent[] {
  const existing = liveTransaction(state, data.transactionId);
  const { current } = existing;
  const next = mergeExpense(current, data);
  validateExpense(next, data.currency, state);
  if (differingFields(current, next).length === 0) return [];
  const amended: BudgetMonthEvent = {
    type: 'ExpenseAmended',
    data: { transactionId: data.transactionId, ...definedOnly(next), amendedAt: data.now },
  };
  return withConsequences(state, amended, [cellOf(current), cellOf(next)], data.now, data.transactionId);
}

function voidExpense({ data }: VoidExpense, state: BudgetMonthState): BudgetMonthEvent[] {
  const existing = state.transactions.get(data.transactionId);
  if (!existing) return fail('transaction-not-found', `No transaction ${data.transactionId} in this month`);
  if (existing.voided) return [];
  const voided: BudgetMonthEvent = {
    type: 'ExpenseVoided',
    data: {
      transactionId: data.transactionId,
      ...(data.reason === undefined ? {} : { reason: data.reason }),
      ...(data.movedTo === undefined ? {} : movedFields(data.movedTo)),
      voidedAt: data.now,
    },
  };
  return withConsequences(state, voided, [cellOf(existing.current)], data.now, data.transactionId);
}

/** An expense's fields after a change: absent keeps a field, `null` clears merchant or note. */
export function mergeExpense(
  current: ExpenseFields,
  changes: Pick<AmendExpense['data'], 'day' | 'category' | 'amount' | 'merchant' | 'note'>,
): ExpenseFields {
  return {
    day: changes.day ?? current.day,
    category: changes.category ?? current.category,
    amount: changes.amount ?? current.amount,
    merchant: changes.merchant === null ? undefined : (changes.merchant ?? current.merchant),
    note: changes.note === null ? undefined : (changes.note ?? current.note),
  };
}

const movedFields = ({ day, category, amount, merchant, note }: ExpenseFields) => ({
  movedTo: { day, category, amount },
  ...(merchant === undefined ? {} : { movedMerchant: merchant }),
  ...(note === undefined ? {} : { movedNote: note }),
});

const cellOf = (fields: ExpenseFields): CellAt => ({
  day: dayOfMonth(fields.day),
  category: fields.category,
});

/** The event, and what it means for the cells it touched once the month has a plan. */
function withConsequences(
  state: BudgetMonthState,
  event: BudgetMonthEvent,
  cells: readonly CellAt[],
  now: string,
  transactionId: string,
): BudgetMonthEvent[] {
  const after = evolveBudgetMonth(state, event);
  if (after.status !== 'planned') return [event];
  return [event, ...consequences(state, after, cells, now, transactionId)];
}

function validateExpense(fields: ExpenseFields, currency: Currency, state: BudgetMonthState): void {
  const expected = state.currency ?? currency;
  if (currency !== expected) {
    fail('currency-mismatch', `${monthOf(fields.day)} is budgeted in ${expected}, not ${currency}`, {
      expected,
      actual: currency,
    });
  }
  if (state.month !== undefined && monthOf(fields.day) !== state.month) {
    fail('date-outside-month', `${fields.day} is not in ${state.month}`, { month: state.month });
  }
  if (!state.plan.some((p) => p.category === fields.category)) requireCategoryLimit(state.plan.length + 1);
  if (fields.amount <= 0n) fail('invalid-amount', 'An expense amount is greater than zero');
  for (const key of ['merchant', 'note'] as const) {
    const text = fields[key];
    if (text !== undefined && text.length > MAX_TEXT) {
      fail('invalid-expense', `${key} is longer than ${MAX_TEXT} characters`);
    }
  }
}

function liveTransaction(state: BudgetMonthState, transactionId: string) {
  const existing = state.transactions.get(transactionId);
  if (!existing) return fail('transaction-not-found', `No transaction ${transactionId} in this month`);
  if (existing.voided) return fail('transaction-voided', `Transaction ${transactionId} was voided`);
  return existing;
}

const EXPENSE_FIELDS = ['day', 'category', 'amount', 'merchant', 'note'] as const;

const differingFields = (a: ExpenseFields, b: ExpenseFields): string[] =>
  EXPENSE_FIELDS.filter((key) => a[key] !== b[key]);

const definedOnly = (fields: ExpenseFields): ExpenseFields =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as ExpenseFields;

function requirePlanned(state: BudgetMonthState): PlannedMonth {
  if (state.status !== 'planned') return fail('month-not-planned', 'This month has no budget plan yet');
  return state;
}
