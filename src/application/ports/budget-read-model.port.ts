import type { PlannedCategory } from '../../domain/budget-month/events.js';
import type { LocalDate, YearMonth } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import type { GlobalPosition } from './event-store.port.js';

export interface CellTotals {
  readonly allocated: bigint;
  readonly spent: bigint;
}

export interface MonthView {
  /** False for a month whose expenses came before any plan: spent, nothing allocated. */
  readonly planned: boolean;
  readonly currency: Currency;
  readonly splitAlgorithm: string;
  readonly plan: readonly PlannedCategory[];
  readonly saved: bigint;
  readonly overdrawn: bigint;
  readonly byCategory: ReadonlyMap<string, CellTotals>;
  readonly byDay: ReadonlyMap<LocalDate, CellTotals>;
  readonly closedDays: ReadonlySet<LocalDate>;
}

/** What a day's answer needs of its month. */
export type DayMonth = Pick<MonthView, 'planned' | 'currency' | 'plan'>;

/** The daily-allocation read model. Undefined: the month has neither plan nor expenses (as far as the model knows). */
export interface BudgetReadModel {
  day(
    userId: string,
    date: LocalDate,
  ): Promise<{ month: DayMonth; cells: ReadonlyMap<string, CellTotals> } | undefined>;
  month(userId: string, month: YearMonth): Promise<MonthView | undefined>;
  /** Waits, at most `timeoutMs`, until the read model has applied everything up to `position`. */
  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean>;
}
