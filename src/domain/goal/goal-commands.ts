import type { Category } from '../shared/category.js';
import type { LocalDate } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';

/** Time is an input: `now` is an ISO timestamp from the caller's clock. */
export type CreateGoal = {
  type: 'CreateGoal';
  data: {
    goalId: string;
    userId: string;
    name: string;
    target: bigint;
    currency: Currency;
    targetDate?: LocalDate;
    now: string;
  };
};

/** Absent keeps a term; `targetDate: null` clears it. */
export type UpdateGoal = {
  type: 'UpdateGoal';
  data: { name?: string; target?: bigint; targetDate?: LocalDate | null; now: string };
};

export type Contribute = {
  type: 'Contribute';
  data: {
    contributionId: string;
    amount: bigint;
    day: LocalDate;
    category: Category;
    transactionId: string;
    now: string;
  };
};

export type Withdraw = { type: 'Withdraw'; data: { withdrawalId: string; amount: bigint; now: string } };

export type AbandonGoal = { type: 'AbandonGoal'; data: { reason?: string; now: string } };

export type GoalCommand = CreateGoal | UpdateGoal | Contribute | Withdraw | AbandonGoal;
