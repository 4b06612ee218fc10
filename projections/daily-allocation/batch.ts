import type {
  BudgetMonthEvent,
  ExpenseFields,
  PlannedCategory,
} from '../../src/domain/budget-month/events.js';
import { withCategory } from '../../src/domain/budget-month/state.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { YearMonth } from '../../src/domain/shared/local-date.js';
import { key } from '../budget-events.js';
import { LedgerBatch, type LedgerExpense, type MonthPlan, type MonthWrite } from '../month-ledger.js';

export interface PlanRow extends MonthPlan {
  readonly currency: string;
  /** False for a month that has expenses but no plan yet (its `plan` lists the spent categories). */
  readonly planned: boolean;
}
export type Expense = LedgerExpense;

export interface CellDelta {
  readonly user: string;
  readonly day: string;
  readonly category: string;
  allocated: bigint;
  spent: bigint;
  overdrawn: bigint;
}
export type MonthRow = PlanRow & MonthWrite & { savedDelta: bigint };

/**
 * One batch's changes, accumulated in memory (written with one statement per table). Cells only ever
 * receive deltas, the aggregate's own (see month-ledger.ts), so the result matches the aggregate's fold.
 */
export class DailyAllocationBatch extends LedgerBatch<Expense> {
  readonly cells = new Map<string, CellDelta>();
  readonly months = new Map<string, MonthRow>();
  readonly closedDays = new Map<string, readonly [user: string, day: string]>();

  constructor(
    private readonly knownPlans: Map<string, PlanRow>,
    knownExpenses: ReadonlyMap<string, Expense>,
  ) {
    super(knownExpenses);
  }

  apply(user: string, month: YearMonth, event: BudgetMonthEvent): void {
    const monthKey = key(user, month);
    const previous = this.plan(monthKey);
    if (event.type === 'BudgetReplanned' && !previous)
      throw new Error(`BudgetReplanned before BudgetPlanned for ${user} ${month}`);
    this.fold(user, month, event);
    switch (event.type) {
      case 'BudgetPlanned': {
        const { categories: plan, splitAlgorithm, currency } = event.data;
        this.setPlan(monthKey, { currency, splitAlgorithm, plan, planned: true });
        return;
      }
      case 'BudgetReplanned':
        if (previous) this.setPlan(monthKey, { ...previous, ...this.planOf(event.data) });
        return;
      case 'ExpenseRecorded':
        this.joinCategory(monthKey, event.data.category, event.data.currency);
        return;
      case 'ExpenseAmended':
        this.joinCategory(monthKey, event.data.category);
        return;
      case 'MonthOverdrawn':
        this.cell(event.data.day, event.data.category).overdrawn += event.data.shortfall;
        return;
      case 'ShortfallReduced':
        this.cell(event.data.day, event.data.category).overdrawn -= event.data.amount;
        return;
      case 'DayClosed':
        this.close(monthKey, event.data.day, event.data.saved);
        return;
      default:
        return;
    }
  }

  allocate(day: string, category: string, amount: bigint): void {
    this.cell(day, category).allocated += amount;
  }

  spend(expense: Expense, sign: 1 | -1): void {
    this.cell(expense.day, expense.category).spent += sign === 1 ? expense.amount : -expense.amount;
  }

  /** A month's plan is allocated once planned; before, it only lists the categories expenses brought in. */
  allocatedPlan(): MonthPlan | undefined {
    const plan = this.plan(key(this.user, this.month));
    return plan?.planned ? plan : undefined;
  }

  toExpense({ day, category, amount }: ExpenseFields): Expense {
    return { day, category, amount, voided: false };
  }

  private planOf(data: { splitAlgorithm: string; categories: readonly PlannedCategory[] }): MonthPlan {
    return { splitAlgorithm: data.splitAlgorithm, plan: data.categories };
  }

  private cell(day: string, category: string): CellDelta {
    const id = key(this.user, day, category);
    let delta = this.cells.get(id);
    if (!delta) {
      delta = { user: this.user, day, category, allocated: 0n, spent: 0n, overdrawn: 0n };
      this.cells.set(id, delta);
    }
    return delta;
  }

  private close(monthKey: string, day: string, saved: bigint): void {
    const month = this.months.get(monthKey);
    if (month) month.savedDelta += saved;
    else {
      const known = this.knownPlans.get(monthKey);
      if (!known) throw new Error(`DayClosed before BudgetPlanned for ${this.user} ${this.month}`);
      this.months.set(monthKey, { ...known, user: this.user, month: this.month, savedDelta: saved });
    }
    this.closedDays.set(key(this.user, day), [this.user, day]);
  }

  private plan(monthKey: string): PlanRow | undefined {
    return this.months.get(monthKey) ?? this.knownPlans.get(monthKey);
  }

  private setPlan(monthKey: string, plan: PlanRow): void {
    const savedDelta = this.months.get(monthKey)?.savedDelta ?? 0n;
    this.months.set(monthKey, { ...plan, user: this.user, month: this.month, savedDelta });
    this.knownPlans.set(monthKey, plan);
  }

  /** As the aggregate does: an expense's category joins its month's plan (a month without a plan gets a row). */
  private joinCategory(monthKey: string, category: string, currency?: string): void {
    const current = this.plan(monthKey);
    const plan = withCategory(current?.plan ?? [], category as Category);
    if (current && plan === current.plan) return;
    this.setPlan(
      monthKey,
      current ? { ...current, plan } : { currency: currency ?? '', splitAlgorithm: '', plan, planned: false },
    );
  }
}
