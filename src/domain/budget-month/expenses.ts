import { fail } from '../shared/domain-error.js';
import { dayOfMonth, monthOf } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import type { AmendExpense, RecordExpense, VoidExpense } from './commands.js';
import { type CellAt, consequences } from './consequences.js';
import type { BudgetMonthEvent, ExpenseFields } from './events.js';
import { liveTransaction, MAX_TEXT, requireCategoryLimit } from './guards.js';
import { type BudgetMonthState, evolveBudgetMonth } from './state.js';

// Recording, amending, voiding and moving an expense, each with the overspend it causes or undoes.

export function recordExpense({ data }: RecordExpense, state: BudgetMonthState): BudgetMonthEvent[] {
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

export function amendExpense({ data }: AmendExpense, state: BudgetMonthState): BudgetMonthEvent[] {
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

export function voidExpense({ data }: VoidExpense, state: BudgetMonthState): BudgetMonthEvent[] {
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

const EXPENSE_FIELDS = ['day', 'category', 'amount', 'merchant', 'note'] as const;

const differingFields = (a: ExpenseFields, b: ExpenseFields): string[] =>
  EXPENSE_FIELDS.filter((key) => a[key] !== b[key]);

export const definedOnly = (fields: ExpenseFields): ExpenseFields =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as ExpenseFields;
