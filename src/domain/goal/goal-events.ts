import type { Category } from '../shared/category.js';
import type { LocalDate } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';

/** The fractions of the target whose crossing is an event of its own. */
export const MILESTONES = [25, 50, 75, 100] as const;
export type Milestone = (typeof MILESTONES)[number];

export type GoalCreated = {
  type: 'GoalCreated';
  data: {
    goalId: string;
    userId: string;
    name: string;
    /** Minor units of `currency`. */
    target: bigint;
    currency: Currency;
    targetDate?: LocalDate;
    createdAt: string;
  };
};

/** Carries the goal's complete new terms, so a reader never needs an older event to know them. */
export type GoalUpdated = {
  type: 'GoalUpdated';
  data: { name: string; target: bigint; targetDate?: LocalDate; updatedAt: string };
};

/**
 * Money set aside for the goal. It comes out of a month: the expense `transactionId` (source `goal`) on
 * `day` in `category`, recorded in the budget month caused by this event (a reaction keyed by this
 * event's id finishes it if the request dies first).
 */
export type GoalContributed = {
  type: 'GoalContributed';
  data: {
    contributionId: string;
    amount: bigint;
    day: LocalDate;
    category: Category;
    transactionId: string;
    contributedAt: string;
  };
};

/** Money taken back out of the goal's savings (it returns to no month: it is simply spent or kept). */
export type GoalWithdrawn = {
  type: 'GoalWithdrawn';
  data: { withdrawalId: string; amount: bigint; withdrawnAt: string };
};

export type GoalMilestoneReached = {
  type: 'GoalMilestoneReached';
  data: { percent: Milestone; saved: bigint; reachedAt: string };
};

export type GoalAchieved = { type: 'GoalAchieved'; data: { saved: bigint; achievedAt: string } };

export type GoalAbandoned = { type: 'GoalAbandoned'; data: { reason?: string; abandonedAt: string } };

export type GoalEvent =
  | GoalCreated
  | GoalUpdated
  | GoalContributed
  | GoalWithdrawn
  | GoalMilestoneReached
  | GoalAchieved
  | GoalAbandoned;
