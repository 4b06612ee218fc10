import type { BudgetMonthState } from '../../domain/budget-month/state.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type Category, parseCategory } from '../../domain/shared/category.js';
import { type LocalDate, monthOf, type YearMonth } from '../../domain/shared/local-date.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CategorizedBy, Categorizer } from '../ports/categorizer.port.js';
import { keywordCategorizer } from './keyword-categorizer.js';

export interface CategorizingDeps {
  /** Absent: the built-in keywords only. */
  readonly categorizer?: Categorizer;
  readonly budgets: { load(stream: string): Promise<{ state: BudgetMonthState }> };
}

export interface MaybeCategorized {
  readonly transactionId: string;
  readonly day: LocalDate;
  readonly amount: bigint;
  readonly category?: Category;
  readonly merchant?: string;
  readonly note?: string;
}

export type Categorized<T> = Omit<T, 'category'> & { category: Category; categorizedBy?: CategorizedBy };

/** Expenses decided at once ask the categorizer this many at a time. */
const CONCURRENCY = 4;

/**
 * Gives every expense without a category one. An expense its month already holds (a retry) keeps the
 * category it was recorded with, so a retry never conflicts with itself; the others ask the categorizer,
 * once per distinct merchant and description, with the month's categories as the known ones.
 */
export async function categorizeExpenses<T extends MaybeCategorized>(
  deps: CategorizingDeps,
  user: RegisteredUser,
  expenses: readonly T[],
): Promise<Categorized<T>[]> {
  const categorizer = deps.categorizer ?? keywordCategorizer();
  const months = new Map<YearMonth, Promise<BudgetMonthState>>();
  const stateOf = (month: YearMonth) => {
    const known =
      months.get(month) ?? deps.budgets.load(budgetMonthStream(user.userId, month)).then((l) => l.state);
    months.set(month, known);
    return known;
  };
  const asked = new Map<string, Promise<{ category: Category; categorizedBy: CategorizedBy }>>();
  const ask = async (e: T) => {
    const state = await stateOf(monthOf(e.day));
    const recorded = state.transactions.get(e.transactionId)?.recorded.category;
    if (recorded) return { category: recorded };
    const key = JSON.stringify([e.merchant ?? '', e.note ?? '']);
    let answer = asked.get(key);
    if (!answer) {
      answer = categorizer
        .categorize({
          userId: user.userId,
          ...(e.merchant ? { merchant: e.merchant } : {}),
          ...(e.note ? { description: e.note } : {}),
          amount: e.amount,
          currency: user.currency,
          knownCategories: state.plan.map((p) => p.category),
        })
        .then((c) => ({ category: parseCategory(c.category), categorizedBy: c.categorizedBy }));
      asked.set(key, answer);
    }
    return answer;
  };
  const out: Categorized<T>[] = new Array(expenses.length);
  let next = 0;
  const worker = async () => {
    while (next < expenses.length) {
      const i = next++;
      const e = expenses[i] as T;
      out[i] = e.category ? (e as Categorized<T>) : { ...e, ...(await ask(e)) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, expenses.length) }, worker));
  return out;
}
