import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetMonthDecider as decider } from '../../src/domain/budget-month/budget-month.js';
import { cellAmount, cellKey, sumCells } from '../../src/domain/budget-month/cells.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import type { BudgetMonthState, PlannedMonth } from '../../src/domain/budget-month/state.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import { daysInMonth } from '../../src/domain/shared/local-date.js';
import { planCommand, type Scenario, scenarioArb, toCommands } from '../support/budget-arbitraries.js';

/** Runs the scenario's commands; business rejections are expected and leave the state unchanged. */
function run(s: Scenario) {
  let state: BudgetMonthState = decider.initialState();
  const log: BudgetMonthEvent[] = [];
  const decisions: { commandIndex: number; events: BudgetMonthEvent[] }[] = [];
  for (const [index, command] of [planCommand(s), ...toCommands(s)].entries()) {
    let events: BudgetMonthEvent[];
    try {
      events = decider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainError) continue;
      throw error;
    }
    decisions.push({ commandIndex: index, events });
    log.push(...events);
    state = events.reduce(decider.evolve, state);
  }
  return { state: state as PlannedMonth, log, decisions };
}

/** Only expense facts: no rebalances, adjustments or day closes. */
const expensesOnly = scenarioArb().map((s) => ({
  ...s,
  steps: s.steps.filter((step) => ['record', 'retry', 'amend', 'void'].includes(step.kind)),
}));

const fold = (events: BudgetMonthEvent[]) =>
  events.reduce(decider.evolve, decider.initialState()) as PlannedMonth;

describe('BudgetMonth invariants', () => {
  it('the split allocates every planned category exactly: flexible over every day, fixed whole on its due day', () => {
    fc.assert(
      fc.property(scenarioArb(0), (s) => {
        const { state } = run(s);
        const days = daysInMonth(s.month);
        expect(sumCells(state.allocated)).toBe(s.plan.reduce((t, c) => t + c.amount, 0n));
        for (const c of s.plan) {
          const perDay = Array.from({ length: days }, (_, i) =>
            cellAmount(state.allocated, i + 1, c.category),
          );
          expect(perDay.reduce((a, b) => a + b, 0n)).toBe(c.amount);
          if (c.kind === 'fixed') {
            const due = Math.min(c.dueDay as number, days);
            expect(perDay.filter((v, i) => v !== 0n && i + 1 !== due)).toEqual([]);
          } else {
            const floor = c.amount / BigInt(days);
            expect(perDay.every((v) => v === floor || v === floor + 1n)).toBe(true);
          }
        }
      }),
    );
  });

  it('recording, amending and voiding never change allocations, and spent equals the live transactions', () => {
    fc.assert(
      fc.property(expensesOnly, (s) => {
        const { state } = run(s);
        const plannedOnly = fold([
          decider.decide(planCommand(s), decider.initialState())[0] as BudgetMonthEvent,
        ]);
        expect(state.allocated).toEqual(plannedOnly.allocated);
        let live = 0n;
        const perCell = new Map<string, bigint>();
        for (const tx of state.transactions.values()) {
          if (tx.voided) continue;
          live += tx.current.amount;
          const key = cellKey(Number(tx.current.day.slice(8)), tx.current.category);
          perCell.set(key, (perCell.get(key) ?? 0n) + tx.current.amount);
        }
        expect(sumCells(state.spent)).toBe(live);
        expect(new Map([...state.spent].filter(([, v]) => v !== 0n))).toEqual(perCell);
      }),
    );
  });

  it('reported overspend per (day, category) covers at least what is over, and exactly when spending only grows', () => {
    fc.assert(
      fc.property(expensesOnly, (s) => {
        const { state, log } = run(s);
        const reported = new Map<string, bigint>();
        for (const e of log) {
          if (e.type !== 'OverspendDetected') continue;
          expect(e.data.overBy > 0n).toBe(true);
          const key = cellKey(Number(e.data.day.slice(8)), e.data.category);
          reported.set(key, (reported.get(key) ?? 0n) + e.data.overBy);
        }
        const onlyRecords = log.every((e) => e.type !== 'ExpenseAmended' && e.type !== 'ExpenseVoided');
        for (const [key, spent] of state.spent) {
          const over = spent - (state.allocated.get(key) ?? 0n);
          const expected = over > 0n ? over : 0n;
          const got = reported.get(key) ?? 0n;
          if (onlyRecords) expect(got).toBe(expected);
          else expect(got >= expected).toBe(true);
        }
      }),
    );
  });

  it('replay is deterministic: folding the log again gives the same state', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const { state, log } = run(s);
        expect(fold(log)).toEqual(state);
        expect(fold(structuredClone(log))).toEqual(state);
      }),
    );
  });

  it('a transaction recorded again with the same fields changes nothing', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        const { state } = run(s);
        for (const command of toCommands(s)) {
          if (command.type !== 'RecordExpense') continue;
          const tx = state.transactions.get(command.data.transactionId);
          const sameAsRecorded =
            tx &&
            tx.recorded.day === command.data.day &&
            tx.recorded.category === command.data.category &&
            tx.recorded.amount === command.data.amount;
          if (sameAsRecorded) expect(decider.decide(command, state)).toEqual([]);
        }
      }),
    );
  });
});
