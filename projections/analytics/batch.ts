import type { BudgetMonthEvent, ExpenseFields } from '../../src/domain/budget-month/events.js';
import type { YearMonth } from '../../src/domain/shared/local-date.js';
import { key } from '../budget-events.js';
import { LedgerBatch, type LedgerExpense, type MonthPlan, type MonthWrite } from '../month-ledger.js';

/** How merchants are grouped: trimmed and lower-case; '' when the expense names none. */
export const normaliseMerchant = (merchant: string | undefined): string =>
  (merchant ?? '').trim().toLowerCase();

export interface Expense extends LedgerExpense {
  readonly merchant: string;
}

export interface DailyDelta {
  readonly user: string;
  readonly day: string;
  allocated: bigint;
  spent: bigint;
  transactions: number;
}
export interface CategoryDelta {
  readonly user: string;
  readonly month: string;
  readonly category: string;
  allocated: bigint;
  spent: bigint;
  transactions: number;
}
export interface MerchantDelta {
  readonly user: string;
  readonly month: string;
  readonly merchant: string;
  spent: bigint;
  transactions: number;
}

/** Rows of one table keyed by their primary key. */
class Keyed<R> {
  private readonly rows = new Map<string, R>();
  constructor(private readonly create: (key: readonly string[]) => R) {}

  at(...parts: string[]): R {
    const id = key(...parts);
    let row = this.rows.get(id);
    if (!row) {
      row = this.create(parts);
      this.rows.set(id, row);
    }
    return row;
  }

  values(): R[] {
    return [...this.rows.values()];
  }
}

/**
 * One batch's changes, accumulated in memory (written with one statement per table). Totals only ever
 * receive deltas, and every row an event touches is written even when its delta nets to zero, so the
 * rows do not depend on how the log was cut into batches.
 */
export class AnalyticsBatch extends LedgerBatch<Expense> {
  readonly daily = new Keyed<DailyDelta>(([user = '', day = '']) => ({
    user,
    day,
    allocated: 0n,
    spent: 0n,
    transactions: 0,
  }));
  readonly categories = new Keyed<CategoryDelta>(([user = '', month = '', category = '']) => ({
    user,
    month,
    category,
    allocated: 0n,
    spent: 0n,
    transactions: 0,
  }));
  readonly merchants = new Keyed<MerchantDelta>(([user = '', month = '', merchant = '']) => ({
    user,
    month,
    merchant,
    spent: 0n,
    transactions: 0,
  }));
  /** Plans written by this batch, by `key(user, month)`. */
  readonly plans = new Map<string, MonthWrite & MonthPlan>();

  constructor(
    private readonly knownPlans: ReadonlyMap<string, MonthPlan>,
    knownExpenses: ReadonlyMap<string, Expense>,
  ) {
    super(knownExpenses);
  }

  apply(user: string, month: YearMonth, event: BudgetMonthEvent): void {
    this.fold(user, month, event);
    // The plan is kept only so that a replacing plan can take its split back out.
    if (event.type === 'BudgetPlanned') {
      const { splitAlgorithm, categories: plan } = event.data;
      this.plans.set(key(user, month), { user, month, splitAlgorithm, plan });
    }
  }

  allocate(day: string, category: string, amount: bigint): void {
    this.daily.at(this.user, day).allocated += amount;
    this.categories.at(this.user, this.month, category).allocated += amount;
  }

  spend(expense: Expense, sign: 1 | -1): void {
    const amount = sign === 1 ? expense.amount : -expense.amount;
    for (const row of [
      this.daily.at(this.user, expense.day),
      this.categories.at(this.user, this.month, expense.category),
      this.merchants.at(this.user, this.month, expense.merchant),
    ]) {
      row.spent += amount;
      row.transactions += sign;
    }
  }

  allocatedPlan(): MonthPlan | undefined {
    const id = key(this.user, this.month);
    return this.plans.get(id) ?? this.knownPlans.get(id);
  }

  toExpense({ day, category, amount, merchant }: ExpenseFields): Expense {
    return { day, category, merchant: normaliseMerchant(merchant), amount, voided: false };
  }
}
