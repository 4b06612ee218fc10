import { describe, expect, it } from 'vitest';
import { goalDecider } from '../../src/domain/goal/goal.js';
import type { GoalCommand } from '../../src/domain/goal/goal-commands.js';
import type { GoalEvent } from '../../src/domain/goal/goal-events.js';
import {
  goalIndexStream,
  goalStream,
  parseGoalIndexStream,
  parseGoalStream,
} from '../../src/domain/goal/goal-stream.js';
import type { Category } from '../../src/domain/shared/category.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import { parseCurrency } from '../../src/domain/shared/money.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(goalDecider);
const NOW = '2025-06-10T12:00:00.000Z';
const USD = parseCurrency('USD');
const GOAL = '7b0c1b5e-2f0a-4c59-9a43-6f1d1f3c0a11';
const USER = '0d3c1b5e-2f0a-4c59-9a43-6f1d1f3c0a22';

const created: GoalEvent = {
  type: 'GoalCreated',
  data: { goalId: GOAL, userId: USER, name: 'Bike', target: 100000n, currency: USD, createdAt: NOW },
};
const create = (extra: Partial<Extract<GoalCommand, { type: 'CreateGoal' }>['data']> = {}): GoalCommand => ({
  type: 'CreateGoal',
  data: { goalId: GOAL, userId: USER, name: 'Bike', target: 100000n, currency: USD, now: NOW, ...extra },
});
const contribution = (id: string, amount: bigint) => ({
  contributionId: id,
  amount,
  day: '2025-06-10' as LocalDate,
  category: 'savings' as Category,
  transactionId: `tx-${id}`,
});
const contribute = (id: string, amount: bigint): GoalCommand => ({
  type: 'Contribute',
  data: { ...contribution(id, amount), now: NOW },
});
const contributed = (id: string, amount: bigint): GoalEvent => ({
  type: 'GoalContributed',
  data: { ...contribution(id, amount), contributedAt: NOW },
});
const milestone = (percent: 25 | 50 | 75 | 100, saved: bigint): GoalEvent => ({
  type: 'GoalMilestoneReached',
  data: { percent, saved, reachedAt: NOW },
});

describe('Goal decider', () => {
  it('names its streams goal-<id> and goals-<userId>, and parses them back', () => {
    expect(parseGoalStream(goalStream(GOAL))).toBe(GOAL);
    expect(parseGoalIndexStream(goalIndexStream(USER))).toBe(USER);
    expect(parseGoalStream(goalIndexStream(USER))).toBeUndefined();
    expect(parseGoalStream(`budget-${USER}-2025-06`)).toBeUndefined();
  });

  it('creates a goal; the same id and terms again change nothing; other terms are a conflict', () => {
    spec([]).when(create()).thenEmits([created]);
    spec([created]).when(create()).thenEmits([]);
    spec([created])
      .when(create({ target: 5n }))
      .thenRejects('goal-id-conflict');
    spec([created])
      .when(create({ userId: 'someone-else' }))
      .thenRejects('goal-id-conflict');
  });

  it('refuses a goal without a name or a positive target', () => {
    spec([])
      .when(create({ name: ' ' }))
      .thenRejects('invalid-goal');
    spec([])
      .when(create({ target: 0n }))
      .thenRejects('invalid-goal');
  });

  it('records a contribution with the milestones it crosses', () =>
    spec([created])
      .when(contribute('c1', 50000n))
      .thenEmits([contributed('c1', 50000n), milestone(25, 50000n), milestone(50, 50000n)]));

  it('is achieved when the saved amount reaches the target, milestones never repeated', () =>
    spec([created, contributed('c1', 50000n), milestone(25, 50000n), milestone(50, 50000n)])
      .when(contribute('c2', 60000n))
      .thenEmits([
        contributed('c2', 60000n),
        milestone(75, 110000n),
        milestone(100, 110000n),
        { type: 'GoalAchieved', data: { saved: 110000n, achievedAt: NOW } },
      ]));

  it('takes a contribution id once: the same fields again record nothing, others are a conflict', () => {
    spec([created, contributed('c1', 100n)])
      .when(contribute('c1', 100n))
      .thenEmits([]);
    spec([created, contributed('c1', 100n)])
      .when(contribute('c1', 200n))
      .thenRejects('contribution-id-conflict', { fields: ['amount'] });
  });

  it('refuses contributions that are not positive, to an abandoned goal, or to no goal', () => {
    spec([created]).when(contribute('c1', 0n)).thenRejects('invalid-amount');
    const abandoned: GoalEvent = { type: 'GoalAbandoned', data: { abandonedAt: NOW } };
    spec([created, abandoned]).when(contribute('c1', 1n)).thenRejects('goal-closed');
    spec([]).when(contribute('c1', 1n)).thenRejects('goal-not-found');
  });

  it('withdraws at most what the goal holds', () => {
    const withdraw = (amount: bigint): GoalCommand => ({
      type: 'Withdraw',
      data: { withdrawalId: 'w1', amount, now: NOW },
    });
    spec([created, contributed('c1', 100n)])
      .when(withdraw(101n))
      .thenRejects('insufficient-savings', { saved: '100' });
    spec([created, contributed('c1', 100n)])
      .when(withdraw(40n))
      .thenEmits([{ type: 'GoalWithdrawn', data: { withdrawalId: 'w1', amount: 40n, withdrawnAt: NOW } }]);
  });

  it('updates terms; a lower target already met achieves the goal', () =>
    spec([created, contributed('c1', 30000n), milestone(25, 30000n)])
      .when({ type: 'UpdateGoal', data: { target: 30000n, now: NOW } })
      .thenEmits([
        { type: 'GoalUpdated', data: { name: 'Bike', target: 30000n, updatedAt: NOW } },
        milestone(50, 30000n),
        milestone(75, 30000n),
        milestone(100, 30000n),
        { type: 'GoalAchieved', data: { saved: 30000n, achievedAt: NOW } },
      ]));

  it('abandons once', () => {
    const abandoned: GoalEvent = { type: 'GoalAbandoned', data: { reason: 'moved on', abandonedAt: NOW } };
    spec([created])
      .when({ type: 'AbandonGoal', data: { reason: 'moved on', now: NOW } })
      .thenEmits([abandoned]);
    spec([created, abandoned])
      .when({ type: 'AbandonGoal', data: { now: NOW } })
      .thenEmits([]);
  });
});
