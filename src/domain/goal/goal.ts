import type { Decider } from '../shared/decider.js';
import { fail } from '../shared/domain-error.js';
import type { LocalDate } from '../shared/local-date.js';
import type { Currency } from '../shared/money.js';
import type {
  AbandonGoal,
  Contribute,
  CreateGoal,
  GoalCommand,
  UpdateGoal,
  Withdraw,
} from './goal-commands.js';
import { type GoalContributed, type GoalEvent, MILESTONES, type Milestone } from './goal-events.js';

export type GoalStatus = 'active' | 'achieved' | 'abandoned';

export interface Goal {
  readonly status: GoalStatus;
  readonly goalId: string;
  readonly userId: string;
  readonly name: string;
  readonly target: bigint;
  readonly currency: Currency;
  readonly targetDate?: LocalDate;
  /** Contributions minus withdrawals: never more than `contributed`, never negative. */
  readonly saved: bigint;
  readonly contributed: bigint;
  readonly withdrawn: bigint;
  readonly contributions: ReadonlyMap<string, GoalContributed['data']>;
  readonly withdrawals: ReadonlyMap<string, bigint>;
  readonly milestones: readonly { percent: Milestone; reachedAt: string }[];
  readonly createdAt: string;
  readonly achievedAt?: string;
  readonly abandonedAt?: string;
}

export type GoalState = { readonly status: 'none' } | Goal;

const MAX_NAME = 100;

function checkTerms(name: string, target: bigint): void {
  if (name.trim() === '' || name.length > MAX_NAME) {
    fail('invalid-goal', `A goal's name is 1-${MAX_NAME} characters`);
  }
  if (target <= 0n) fail('invalid-goal', "A goal's target is more than zero", { target: target.toString() });
}

const existing = (state: GoalState): Goal =>
  state.status === 'none' ? fail('goal-not-found', 'No such goal') : state;

function open(state: GoalState): Goal {
  const goal = existing(state);
  if (goal.status === 'abandoned') fail('goal-closed', `Goal ${goal.goalId} was abandoned`);
  return goal;
}

/** The milestones a saved amount has newly crossed, and whether the goal is now achieved. */
function progressEvents(goal: Goal, saved: bigint, now: string): GoalEvent[] {
  const reached = new Set(goal.milestones.map((m) => m.percent));
  const events: GoalEvent[] = MILESTONES.filter(
    (percent) => !reached.has(percent) && saved * 100n >= goal.target * BigInt(percent),
  ).map((percent) => ({ type: 'GoalMilestoneReached', data: { percent, saved, reachedAt: now } }));
  if (goal.status === 'active' && saved >= goal.target) {
    events.push({ type: 'GoalAchieved', data: { saved, achievedAt: now } });
  }
  return events;
}

function create(command: CreateGoal, state: GoalState): GoalEvent[] {
  const { goalId, userId, name, target, currency, targetDate, now } = command.data;
  if (state.status !== 'none') {
    const same =
      state.userId === userId &&
      state.name === name &&
      state.target === target &&
      state.targetDate === targetDate;
    // The same id with the same terms is a retry: nothing new.
    if (same) return [];
    return fail('goal-id-conflict', `Goal ${goalId} already exists with other terms`, { goalId });
  }
  checkTerms(name, target);
  return [
    {
      type: 'GoalCreated',
      data: { goalId, userId, name, target, currency, ...(targetDate ? { targetDate } : {}), createdAt: now },
    },
  ];
}

function update(command: UpdateGoal, state: GoalState): GoalEvent[] {
  const goal = open(state);
  const { now } = command.data;
  const name = command.data.name ?? goal.name;
  const target = command.data.target ?? goal.target;
  const targetDate =
    command.data.targetDate === undefined ? goal.targetDate : (command.data.targetDate ?? undefined);
  checkTerms(name, target);
  if (name === goal.name && target === goal.target && targetDate === goal.targetDate) return [];
  const updated: GoalEvent = {
    type: 'GoalUpdated',
    data: { name, target, ...(targetDate ? { targetDate } : {}), updatedAt: now },
  };
  // A lower target may already be met.
  return [updated, ...progressEvents({ ...goal, target }, goal.saved, now)];
}

function contribute(command: Contribute, state: GoalState): GoalEvent[] {
  const goal = existing(state);
  const { contributionId, amount, day, category, transactionId, now } = command.data;
  const known = goal.contributions.get(contributionId);
  if (known) {
    const differing = (['amount', 'day', 'category'] as const).filter((f) => known[f] !== command.data[f]);
    if (differing.length === 0) return [];
    return fail('contribution-id-conflict', `Contribution ${contributionId} was recorded with other fields`, {
      contributionId,
      fields: differing,
    });
  }
  open(state);
  if (amount <= 0n) fail('invalid-amount', 'A contribution is more than zero', { amount: amount.toString() });
  const saved = goal.saved + amount;
  return [
    {
      type: 'GoalContributed',
      data: { contributionId, amount, day, category, transactionId, contributedAt: now },
    },
    ...progressEvents(goal, saved, now),
  ];
}

function withdraw(command: Withdraw, state: GoalState): GoalEvent[] {
  const goal = existing(state);
  const { withdrawalId, amount, now } = command.data;
  const known = goal.withdrawals.get(withdrawalId);
  if (known !== undefined) {
    if (known === amount) return [];
    return fail('contribution-id-conflict', `Withdrawal ${withdrawalId} was recorded with another amount`, {
      withdrawalId,
      fields: ['amount'],
    });
  }
  if (amount <= 0n) fail('invalid-amount', 'A withdrawal is more than zero', { amount: amount.toString() });
  if (amount > goal.saved) {
    fail('insufficient-savings', `The goal holds ${goal.saved} minor units`, {
      saved: goal.saved.toString(),
      amount: amount.toString(),
    });
  }
  return [{ type: 'GoalWithdrawn', data: { withdrawalId, amount, withdrawnAt: now } }];
}

function abandon(command: AbandonGoal, state: GoalState): GoalEvent[] {
  const goal = existing(state);
  if (goal.status === 'abandoned') return [];
  const { reason, now } = command.data;
  return [{ type: 'GoalAbandoned', data: { ...(reason ? { reason } : {}), abandonedAt: now } }];
}

export function decideGoal(command: GoalCommand, state: GoalState): GoalEvent[] {
  switch (command.type) {
    case 'CreateGoal':
      return create(command, state);
    case 'UpdateGoal':
      return update(command, state);
    case 'Contribute':
      return contribute(command, state);
    case 'Withdraw':
      return withdraw(command, state);
    case 'AbandonGoal':
      return abandon(command, state);
  }
}

export function evolveGoal(state: GoalState, event: GoalEvent): GoalState {
  if (event.type === 'GoalCreated') {
    const { goalId, userId, name, target, currency, targetDate, createdAt } = event.data;
    return {
      status: 'active',
      goalId,
      userId,
      name,
      target,
      currency,
      ...(targetDate ? { targetDate } : {}),
      saved: 0n,
      contributed: 0n,
      withdrawn: 0n,
      contributions: new Map(),
      withdrawals: new Map(),
      milestones: [],
      createdAt,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'GoalUpdated': {
      const { targetDate: _old, ...rest } = state;
      const { name, target, targetDate } = event.data;
      return { ...rest, name, target, ...(targetDate ? { targetDate } : {}) };
    }
    case 'GoalContributed':
      return {
        ...state,
        saved: state.saved + event.data.amount,
        contributed: state.contributed + event.data.amount,
        contributions: new Map(state.contributions).set(event.data.contributionId, event.data),
      };
    case 'GoalWithdrawn':
      return {
        ...state,
        saved: state.saved - event.data.amount,
        withdrawn: state.withdrawn + event.data.amount,
        withdrawals: new Map(state.withdrawals).set(event.data.withdrawalId, event.data.amount),
      };
    case 'GoalMilestoneReached':
      return {
        ...state,
        milestones: [...state.milestones, { percent: event.data.percent, reachedAt: event.data.reachedAt }],
      };
    case 'GoalAchieved':
      return { ...state, status: 'achieved', achievedAt: event.data.achievedAt };
    case 'GoalAbandoned':
      return { ...state, status: 'abandoned', abandonedAt: event.data.abandonedAt };
  }
}

export const goalDecider: Decider<GoalCommand, GoalEvent, GoalState> = {
  decide: decideGoal,
  evolve: evolveGoal,
  initialState: () => ({ status: 'none' }),
};

/** Whole percent of the target saved, at most 100. */
export const progressPercent = (goal: Goal): number =>
  Number(goal.saved >= goal.target ? 100n : (goal.saved * 100n) / goal.target);
