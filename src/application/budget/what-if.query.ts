import { sumCells } from '../../domain/budget-month/cells.js';
import { redistribution } from '../../domain/budget-month/redistribution.js';
import { splitAlgorithm } from '../../domain/budget-month/split-algorithms.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import {
  type AlgorithmOverrides,
  type AllocationDifference,
  allocationDiff,
  replayUnder,
  type SkippedFact,
} from '../../domain/budget-month/what-if.js';
import { fail } from '../../domain/shared/domain-error.js';
import { parseYearMonth, type YearMonth } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import { budgetMonthCodec } from '../events/budget-month.codec.js';
import type { EventStore } from '../ports/event-store.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { BudgetMonthHandler } from './budget-handler.js';

/** Reported as the replayed redistribution when none was forced and the month used several versions. */
export const AS_RECORDED = 'as-recorded';

export interface WhatIfInput {
  readonly userId: string;
  readonly month: string;
  readonly algorithm: AlgorithmOverrides;
}

export interface WhatIfResult {
  readonly month: YearMonth;
  readonly currency: Currency;
  readonly algorithms: {
    readonly actual: {
      readonly split: string;
      /** Distinct redistribution versions recorded in the month, in the order they first appear. */
      readonly redistribution: string[];
    };
    readonly replayed: { readonly split: string; readonly redistribution: string };
  };
  readonly differences: AllocationDifference[];
  readonly skipped: SkippedFact[];
  readonly totals: { readonly actualOverdrawn: bigint; readonly replayedOverdrawn: bigint };
}

/**
 * "What if this month had been run under other algorithm versions?" Replays the month's recorded facts
 * in memory and returns the per-day/category allocation differences against what happened. Read-only:
 * nothing is appended.
 */
export const whatIf =
  (deps: { users: UserHandler; budgets: BudgetMonthHandler; store: EventStore }) =>
  async (input: WhatIfInput): Promise<WhatIfResult> => {
    const user = await requireUser(deps.users, input.userId);
    const month = parseYearMonth(input.month);
    const { split, redistribution: redistributionName } = input.algorithm;
    if (split !== undefined) splitAlgorithm(split);
    if (redistributionName !== undefined) redistribution(redistributionName);

    const stream = budgetMonthStream(user.userId, month);
    // The actual state and the facts replayed are the same prefix of the stream, even if a write lands
    // between the two reads: events up to the loaded version never change.
    const { state: actual, version } = await deps.budgets.load(stream);
    if (actual.status !== 'planned') return fail('month-not-planned', `${month} has no budget plan`);
    const recorded = await deps.store.readStream(stream, { maxCount: Number(version + 1n) });
    const events = recorded.map((event) => budgetMonthCodec.decode(event));

    const { state: replayed, skipped } = replayUnder(events, input.algorithm);
    const recordedRedistributions = [
      ...new Set(events.flatMap((e) => (e.type === 'BudgetRebalanced' ? [e.data.algorithm] : []))),
    ];
    return {
      month,
      currency: actual.currency,
      algorithms: {
        actual: { split: actual.splitAlgorithm, redistribution: recordedRedistributions },
        replayed: {
          split: replayed.splitAlgorithm,
          redistribution:
            redistributionName ??
            (recordedRedistributions.length === 1 ? (recordedRedistributions[0] as string) : AS_RECORDED),
        },
      },
      differences: allocationDiff(actual, replayed),
      skipped,
      totals: {
        actualOverdrawn: sumCells(actual.overdrawn),
        replayedOverdrawn: sumCells(replayed.overdrawn),
      },
    };
  };
