import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GoalState, goalDecider } from '../../src/domain/goal/goal.js';
import type { GoalCommand } from '../../src/domain/goal/goal-commands.js';
import type { Category } from '../../src/domain/shared/category.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import { parseCurrency } from '../../src/domain/shared/money.js';
import '../support/fast-check.js';

const NOW = '2025-06-10T12:00:00.000Z';
const amount = fc.bigInt({ min: -5n, max: 50_000n });
const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');

const command: fc.Arbitrary<GoalCommand> = fc.oneof(
  fc.record({ id, amount }).map(({ id: contributionId, amount: value }) => ({
    type: 'Contribute' as const,
    data: {
      contributionId,
      amount: value,
      day: '2025-06-10' as LocalDate,
      category: 'savings' as Category,
      transactionId: `tx-${contributionId}`,
      now: NOW,
    },
  })),
  fc.record({ id, amount }).map(({ id: withdrawalId, amount: value }) => ({
    type: 'Withdraw' as const,
    data: { withdrawalId, amount: value, now: NOW },
  })),
  fc.bigInt({ min: -1n, max: 100_000n }).map((target) => ({
    type: 'UpdateGoal' as const,
    data: { target, now: NOW },
  })),
  fc.constant({ type: 'AbandonGoal' as const, data: { now: NOW } }),
);

/** Applies each command, skipping the ones the decider rejects, and checks the goal after each. */
function run(commands: readonly GoalCommand[]): void {
  let state: GoalState = goalDecider.evolve(goalDecider.initialState(), {
    type: 'GoalCreated',
    data: {
      goalId: 'g',
      userId: 'u',
      name: 'Goal',
      target: 60_000n,
      currency: parseCurrency('USD'),
      createdAt: NOW,
    },
  });
  const contributions = new Map<string, bigint>();
  for (const c of commands) {
    try {
      state = goalDecider.decide(c, state).reduce(goalDecider.evolve, state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
    if (state.status === 'none') throw new Error('the goal disappeared');
    for (const [key, value] of state.contributions) contributions.set(key, value.amount);
    const total = [...contributions.values()].reduce((a, b) => a + b, 0n);
    // Progress never exceeds what was contributed, and never goes below zero.
    expect(state.saved).toBeLessThanOrEqual(total);
    expect(state.saved).toBeGreaterThanOrEqual(0n);
    expect(state.saved).toBe(state.contributed - state.withdrawn);
    expect(state.contributed).toBe(total);
    // Each milestone at most once, and only when that share was saved at some point.
    const percents = state.milestones.map((m) => m.percent);
    expect(new Set(percents).size).toBe(percents.length);
  }
}

describe('Goal properties', () => {
  it('goal progress never exceeds the contributions, whatever the commands', () => {
    fc.assert(fc.property(fc.array(command, { maxLength: 30 }), run), { numRuns: 300 });
  });
});
