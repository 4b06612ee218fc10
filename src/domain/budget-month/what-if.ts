import type { Category } from '../shared/category.js';
import { DomainError, fail } from '../shared/domain-error.js';
import { dateInMonth, type LocalDate } from '../shared/local-date.js';
import { parseCellKey } from './cells.js';
import type { BudgetMonthCommand } from './commands.js';
import { recordExpenseCommand } from './commands.js';
import { decideBudgetMonth } from './decide.js';
import type { BudgetMonthEvent, BudgetRebalanced, MonthOverdrawn } from './events.js';
import { DEFAULT_REDISTRIBUTION, redistribution } from './redistribution.js';
import { splitAlgorithm } from './split-algorithms.js';
import {
  type BudgetMonthState,
  evolveBudgetMonth,
  initialBudgetMonthState,
  type PlannedMonth,
} from './state.js';

/** Algorithm versions to replay a month under; an absent one keeps what each recorded fact used. */
export interface AlgorithmOverrides {
  readonly split?: string;
  readonly redistribution?: string;
}

/** A recorded fact whose command the replayed state rejected (e.g. an adjustment that no longer fits). */
export interface SkippedFact {
  index: number;
  /** The recorded event's type. */
  type: string;
  /** The DomainError code of the rejection. */
  code: string;
}

export interface Replay {
  state: PlannedMonth;
  skipped: SkippedFact[];
}

export interface AllocationDifference {
  day: LocalDate;
  category: Category;
  actual: bigint;
  replayed: bigint;
  /** replayed - actual */
  delta: bigint;
}

/**
 * What-if replay: turns each recorded fact of a month back into the command that produced it and decides
 * it again, in the log's order, against the replayed state, under other algorithm versions. Nothing is
 * written anywhere; the result is only a state to compare with what happened.
 *
 * Facts that are consequences of another decision are not inputs: OverspendDetected comes with its
 * expense, and a MonthOverdrawn right after the BudgetRebalanced of the same cell came from that same
 * Rebalance. Each command carries `now` when given, else the recorded fact's own timestamp.
 *
 * With no overrides (or overrides equal to the recorded versions) the replay reproduces the folded state.
 * Known limit: only the recorded Rebalance decisions are replayed. An overspend that exists only under
 * the other algorithms (no Rebalance was ever asked for it) stays uncovered in the replay.
 */
export function replayUnder(
  events: readonly BudgetMonthEvent[],
  algorithms: AlgorithmOverrides,
  now?: string,
): Replay {
  if (algorithms.split !== undefined) splitAlgorithm(algorithms.split);
  if (algorithms.redistribution !== undefined) redistribution(algorithms.redistribution);
  let state: BudgetMonthState = initialBudgetMonthState();
  const skipped: SkippedFact[] = [];
  events.forEach((event, index) => {
    let decided: BudgetMonthEvent[];
    try {
      const command = commandFor(event, events[index - 1], state, algorithms, now);
      if (!command) return;
      decided = decideBudgetMonth(command, state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      skipped.push({ index, type: event.type, code: error.code });
      return;
    }
    state = decided.reduce(evolveBudgetMonth, state);
  });
  if (state.status !== 'planned') return fail('month-not-planned', 'This month has no budget plan');
  return { state, skipped };
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one case per event type: the table that turns a recorded event back into its command
function commandFor(
  event: BudgetMonthEvent,
  previous: BudgetMonthEvent | undefined,
  state: BudgetMonthState,
  algorithms: AlgorithmOverrides,
  now: string | undefined,
): BudgetMonthCommand | undefined {
  // The replayed month's currency is the recorded plan's, or before any plan its first expense's.
  const currency = state.currency;
  switch (event.type) {
    case 'BudgetPlanned': {
      const {
        userId,
        month,
        currency: planCurrency,
        income,
        categories,
        splitAlgorithm: split,
        reason,
      } = event.data;
      return {
        type: 'PlanMonth',
        data: {
          userId,
          month,
          currency: planCurrency,
          income,
          categories,
          splitAlgorithm: algorithms.split ?? split,
          ...(reason === undefined ? {} : { reason }),
          now: now ?? event.data.plannedAt,
        },
      };
    }
    case 'BudgetReplanned': {
      const { effectiveFrom, income, categories, splitAlgorithm: split, reason } = event.data;
      if (state.status !== 'planned') return notPlanned();
      return {
        type: 'PlanMonth',
        data: {
          userId: state.userId,
          month: state.month,
          currency: state.currency,
          income,
          categories,
          splitAlgorithm: algorithms.split ?? split,
          effectiveFrom,
          ...(reason === undefined ? {} : { reason }),
          now: now ?? event.data.replannedAt,
        },
      };
    }
    case 'ExpenseRecorded': {
      const { transactionId, day, category, amount, merchant, note, source, idempotencyKey } = event.data;
      const expenseCurrency = currency ?? event.data.currency;
      if (expenseCurrency === undefined) return notPlanned();
      return recordExpenseCommand({
        transactionId,
        fields: { day, category, amount, merchant, note },
        currency: expenseCurrency,
        source,
        idempotencyKey,
        now: now ?? event.data.recordedAt,
      });
    }
    case 'ExpenseAmended': {
      const { transactionId, day, category, amount, merchant, note } = event.data;
      if (currency === undefined) return notPlanned();
      return {
        type: 'AmendExpense',
        data: {
          transactionId,
          day,
          category,
          amount,
          currency,
          merchant: merchant ?? null,
          note: note ?? null,
          now: now ?? event.data.amendedAt,
        },
      };
    }
    case 'ExpenseVoided': {
      const { transactionId, reason, movedTo, movedMerchant, movedNote } = event.data;
      return {
        type: 'VoidExpense',
        data: {
          transactionId,
          ...(reason === undefined ? {} : { reason }),
          ...(movedTo === undefined
            ? {}
            : { movedTo: { ...movedTo, merchant: movedMerchant, note: movedNote } }),
          now: now ?? event.data.voidedAt,
        },
      };
    }
    // Consequences decided with the expense, plan or adjustment that caused them.
    case 'OverspendDetected':
    case 'ShortfallReduced':
      return undefined;
    case 'BudgetRebalanced': {
      const { coveredDay, category, causedBy, algorithm } = event.data;
      return {
        type: 'Rebalance',
        data: {
          day: coveredDay,
          category,
          causedBy,
          algorithm: algorithms.redistribution ?? algorithm,
          now: now ?? event.data.rebalancedAt,
        },
      };
    }
    case 'MonthOverdrawn': {
      if (previous?.type === 'BudgetRebalanced' && sameDecision(previous, event)) return undefined;
      const { day, category, causedBy } = event.data;
      // Nothing could be covered, whatever the algorithm: the event does not name one.
      return {
        type: 'Rebalance',
        data: {
          day,
          category,
          causedBy,
          algorithm: algorithms.redistribution ?? DEFAULT_REDISTRIBUTION,
          now: now ?? event.data.detectedAt,
        },
      };
    }
    case 'AllocationAdjusted': {
      const { from, to, amount, reason } = event.data;
      return {
        type: 'AdjustAllocation',
        data: {
          from,
          to,
          amount,
          ...(reason === undefined ? {} : { reason }),
          now: now ?? event.data.adjustedAt,
        },
      };
    }
    case 'DayClosed':
      return {
        type: 'CloseDay',
        data: { day: event.data.day, policy: event.data.policy, now: now ?? event.data.closedAt },
      };
  }
}

/**
 * A Rebalance decides BudgetRebalanced then, for what it could not cover, MonthOverdrawn of the same cell.
 * Two separate decisions on one cell cannot be adjacent: a second one finds something to cover only after
 * an expense event has raised the cell's spending.
 */
const sameDecision = (rebalanced: BudgetRebalanced, overdrawn: MonthOverdrawn): boolean =>
  rebalanced.data.coveredDay === overdrawn.data.day &&
  rebalanced.data.category === overdrawn.data.category &&
  rebalanced.data.causedBy === overdrawn.data.causedBy;

const notPlanned = (): never => fail('month-not-planned', 'This month has no budget plan yet');

/** Cells whose allocation differs between two states of the same month, by day then category. */
export function allocationDiff(actual: PlannedMonth, replayed: PlannedMonth): AllocationDifference[] {
  const keys = new Set([...actual.allocated.keys(), ...replayed.allocated.keys()]);
  const rows: AllocationDifference[] = [];
  for (const key of keys) {
    const before = actual.allocated.get(key) ?? 0n;
    const after = replayed.allocated.get(key) ?? 0n;
    if (before === after) continue;
    const { day, category } = parseCellKey(key);
    rows.push({
      day: dateInMonth(actual.month, day),
      category,
      actual: before,
      replayed: after,
      delta: after - before,
    });
  }
  return rows.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.category < b.category ? -1 : 1));
}
