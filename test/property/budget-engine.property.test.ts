import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetMonthDecider as decider } from '../../src/domain/budget-month/budget-month.js';
import { parseCellKey, sumCells } from '../../src/domain/budget-month/cells.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import type { BudgetMonthState, PlannedMonth } from '../../src/domain/budget-month/state.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import { dayOfMonth } from '../../src/domain/shared/local-date.js';
import { planCommand, type Scenario, scenarioArb, toCommands } from '../support/budget-arbitraries.js';

/** Every command of the scenario, each decision checked against the budget invariants (README, "The budget engine"). */
function runChecked(
  s: Scenario,
  check: (before: PlannedMonth, after: PlannedMonth, events: BudgetMonthEvent[]) => void,
) {
  let state: BudgetMonthState = decider.initialState();
  const log: BudgetMonthEvent[] = [];
  for (const command of [planCommand(s), ...toCommands(s)]) {
    let events: BudgetMonthEvent[];
    try {
      events = decider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainError) continue;
      throw error;
    }
    const next = events.reduce(decider.evolve, state);
    if (state.status === 'planned') check(state, next as PlannedMonth, events);
    state = next;
    log.push(...events);
  }
  return { state: state as PlannedMonth, log };
}

const planned = (s: Scenario) => s.plan.reduce((t, c) => t + c.amount, 0n);
const scenarios = scenarioArb(60);

describe('Budget engine invariants (rebalance, adjust, day close)', () => {
  it('conservation: allocations plus savings always equal the plan, to the minor unit', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        runChecked(s, (_, after) => {
          expect(sumCells(after.allocated) + after.saved).toBe(planned(s));
        });
      }),
    );
  });

  it('no allocation ever goes negative, and a rebalance never takes a cell below what it spent', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        runChecked(s, (before, after, events) => {
          for (const value of after.allocated.values()) expect(value >= 0n).toBe(true);
          if (!events.some((e) => e.type === 'BudgetRebalanced')) return;
          for (const [key, value] of after.allocated) {
            if (value < (before.allocated.get(key) ?? 0n))
              expect(value >= (after.spent.get(key) ?? 0n)).toBe(true);
          }
        });
      }),
    );
  });

  it('a rebalance leaves earlier days, the same day’s other categories and fixed categories untouched', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const fixed = new Set(s.plan.filter((c) => c.kind === 'fixed').map((c) => c.category as string));
        runChecked(s, (before, after, events) => {
          const rebalanced = events.find((e) => e.type === 'BudgetRebalanced');
          if (!rebalanced) return;
          const coveredDay = dayOfMonth(rebalanced.data.coveredDay);
          const keys = new Set([...before.allocated.keys(), ...after.allocated.keys()]);
          for (const key of keys) {
            const { day, category } = parseCellKey(key);
            const changed = (before.allocated.get(key) ?? 0n) !== (after.allocated.get(key) ?? 0n);
            if (!changed) continue;
            const isCovered = day === coveredDay && category === rebalanced.data.category;
            expect(isCovered || (day > coveredDay && !fixed.has(category))).toBe(true);
          }
        });
      }),
    );
  });

  it('a rebalance covers the overspend exactly, or declares the exact shortfall overdrawn; repeating it changes nothing', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const { state } = runChecked(s, (before, after, events) => {
          const rebalanced = events.find((e) => e.type === 'BudgetRebalanced');
          const overdrawn = events.find((e) => e.type === 'MonthOverdrawn');
          const target =
            rebalanced?.data ??
            (overdrawn && { coveredDay: overdrawn.data.day, category: overdrawn.data.category });
          if (!target) return;
          const day = dayOfMonth(target.coveredDay);
          const key = `${day}|${target.category}` as const;
          const need =
            (before.spent.get(key) ?? 0n) -
            (before.allocated.get(key) ?? 0n) -
            (before.overdrawn.get(key) ?? 0n);
          expect((rebalanced?.data.amount ?? 0n) + (overdrawn?.data.shortfall ?? 0n)).toBe(need);
          const again = decider.decide(
            {
              type: 'Rebalance',
              data: { day: target.coveredDay, category: target.category, causedBy: 'again', now: 'x' },
            },
            after,
          );
          expect(again).toEqual([]);
        });
        expect(state.status).toBe('planned');
      }),
    );
  });

  it('replay determinism: the log folds to the same state, whatever algorithms decided it', () => {
    fc.assert(
      fc.property(scenarios, (s) => {
        const { state, log } = runChecked(s, () => undefined);
        expect(log.reduce(decider.evolve, decider.initialState())).toEqual(state);
      }),
    );
  });
});
