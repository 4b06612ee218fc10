import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { whatIf } from '../../src/application/budget/what-if.query.js';
import { commandHandler } from '../../src/application/command-handler.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import { budgetMonthDecider as decider } from '../../src/domain/budget-month/budget-month.js';
import { sumCells } from '../../src/domain/budget-month/cells.js';
import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import { redistributionNames } from '../../src/domain/budget-month/redistribution.js';
import { splitAlgorithmNames } from '../../src/domain/budget-month/split-algorithms.js';
import type { BudgetMonthState, PlannedMonth } from '../../src/domain/budget-month/state.js';
import { allocationDiff, replayUnder } from '../../src/domain/budget-month/what-if.js';
import { DomainError, type DomainErrorCode } from '../../src/domain/shared/domain-error.js';
import type { YearMonth } from '../../src/domain/shared/local-date.js';
import { userDecider } from '../../src/domain/user/user.js';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory-event-store.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { planCommand, scenarioArb, toCommands } from '../support/budget-arbitraries.js';
import { cat, day, fixed, flexible, NOW, record, USD } from '../support/budget-fixtures.js';

/** Runs commands through the decider, as the command handler would, and keeps the log it writes. */
function decideAll(commands: readonly BudgetMonthCommand[], { skipRejected = false } = {}) {
  let state: BudgetMonthState = decider.initialState();
  const log: BudgetMonthEvent[] = [];
  for (const command of commands) {
    let events: BudgetMonthEvent[];
    try {
      events = decider.decide(command, state);
    } catch (error) {
      if (skipRejected && error instanceof DomainError) continue;
      throw error;
    }
    state = events.reduce(decider.evolve, state);
    log.push(...events);
  }
  return { log, state: state as PlannedMonth };
}

const fold = (log: readonly BudgetMonthEvent[]) =>
  log.reduce(decider.evolve, decider.initialState()) as PlannedMonth;

const JUNE = '2025-06' as YearMonth;
const planJune = (categories: ReturnType<typeof flexible>[]): BudgetMonthCommand => ({
  type: 'PlanMonth',
  data: { userId: 'u1', month: JUNE, currency: USD, income: 100_000n, categories, now: NOW },
});
const rebalance = (date: string, category: string, causedBy: string): BudgetMonthCommand => ({
  type: 'Rebalance',
  data: { day: day(date), category: cat(category), causedBy, algorithm: 'proportional@1', now: NOW },
});

/** June 2025 (30 days): food 1000/day, fun 500/day, rent on the 5th. */
const juneCommands: BudgetMonthCommand[] = [
  planJune([flexible('food', 30_000n), flexible('fun', 15_000n), fixed('rent', 50_000n, 5)]),
  record('t1', '2025-06-03', 'food', 4000n, { merchant: 'Market' }),
  rebalance('2025-06-03', 'food', 't1'),
  record('t2', '2025-06-10', 'fun', 2000n),
  rebalance('2025-06-10', 'fun', 't2'),
  { type: 'CloseDay', data: { day: day('2025-06-02'), policy: 'forward', now: NOW } },
  {
    type: 'AdjustAllocation',
    data: {
      from: { day: day('2025-06-20'), category: cat('food') },
      to: { day: day('2025-06-21'), category: cat('fun') },
      amount: 100n,
      reason: 'treat',
      now: NOW,
    },
  },
  record('t3', '2025-06-15', 'food', 500n, { note: 'lunch' }),
  {
    type: 'AmendExpense',
    data: { transactionId: 't3', amount: 700n, merchant: 'Cafe', note: null, currency: USD, now: NOW },
  },
  record('t4', '2025-06-16', 'fun', 300n),
  { type: 'VoidExpense', data: { transactionId: 't4', reason: 'duplicate', now: NOW } },
  // Nothing after the 30th: the whole overspend is uncovered (MonthOverdrawn alone).
  record('t5', '2025-06-30', 'food', 5000n),
  rebalance('2025-06-30', 'food', 't5'),
  // Only the 30th's fun is left: partly covered (BudgetRebalanced, then MonthOverdrawn).
  record('t6', '2025-06-29', 'fun', 20_000n),
  rebalance('2025-06-29', 'fun', 't6'),
];

const june = decideAll(juneCommands);
const sumDeltas = (rows: ReturnType<typeof allocationDiff>) => rows.reduce((t, r) => t + r.delta, 0n);

describe('what-if replay (domain)', () => {
  it('the example log has every kind of fact, a lone MonthOverdrawn and one after a rebalance', () => {
    const types = june.log.map((e) => e.type);
    expect(new Set(types)).toEqual(
      new Set([
        'BudgetPlanned',
        'ExpenseRecorded',
        'OverspendDetected',
        'BudgetRebalanced',
        'MonthOverdrawn',
        'DayClosed',
        'AllocationAdjusted',
        'ExpenseAmended',
        'ExpenseVoided',
      ]),
    );
    const overdrawn = types.flatMap((t, i) => (t === 'MonthOverdrawn' ? [types[i - 1]] : []));
    expect(overdrawn).toEqual(['OverspendDetected', 'BudgetRebalanced']);
    expect(sumCells(june.state.overdrawn) > 0n).toBe(true);
  });

  it('(a) with no override reproduces the folded state, with an empty diff', () => {
    const folded = fold(june.log);
    expect(folded).toEqual(june.state);
    for (const overrides of [{}, { split: 'even@1', redistribution: 'proportional@1' }]) {
      const { state, skipped } = replayUnder(june.log, overrides);
      expect(skipped).toEqual([]);
      expect(state).toEqual(folded);
      expect(allocationDiff(folded, state)).toEqual([]);
    }
    // The replay clock only stamps the replayed facts; it decides nothing.
    expect(replayUnder(june.log, {}, '2031-01-01T00:00:00.000Z').state).toEqual(folded);
  });

  it('(b) under nearest-first@1 the allocations move, and the month total is conserved', () => {
    const actual = fold(june.log);
    const { state, skipped } = replayUnder(june.log, { redistribution: 'nearest-first@1' });
    expect(skipped).toEqual([]);
    const diff = allocationDiff(actual, state);
    expect(diff.length).toBeGreaterThan(0);
    expect(sumDeltas(diff)).toBe(0n);
    for (const row of diff) {
      expect(row.delta).toBe(row.replayed - row.actual);
      expect(row.delta).not.toBe(0n);
    }
    const order = diff.map((r) => `${r.day}|${r.category}`);
    expect(order).toEqual([...order].sort());
    // Nearest first covers the 3rd's food from the 4th, 5th and 6th alone (which then only get the
    // 2nd's rollover); proportional spreads it over every later day.
    for (const d of [4, 5, 6]) expect(state.allocated.get(`${d}|food`)).toBe(36n);
    expect(state.allocated.get('7|food')).toBe(actual.allocated.get('7|food')! + 111n);
  });

  it('(c) under weekend-weighted@2 the split differs, weekends get more, the total is conserved', () => {
    const actual = fold(june.log);
    const { state } = replayUnder(june.log, { split: 'weekend-weighted@2' });
    expect(state.splitAlgorithm).toBe('weekend-weighted@2');
    const diff = allocationDiff(actual, state);
    expect(diff.length).toBeGreaterThan(0);
    expect(sumDeltas(diff)).toBe(0n);
    expect(diff.every((r) => r.category !== 'rent')).toBe(true);
    // Saturday the 14th against Thursday the 12th: untouched by rebalances in both runs.
    expect(state.allocated.get('14|fun')! > state.allocated.get('12|fun')!).toBe(true);
  });

  it('skips a command the replayed state rejects, naming the DomainError code', () => {
    const { log } = decideAll([
      planJune([flexible('food', 30_000n)]),
      {
        type: 'AdjustAllocation',
        data: {
          from: { day: day('2025-06-02'), category: cat('food') },
          to: { day: day('2025-06-07'), category: cat('food') },
          amount: 1000n,
          now: NOW,
        },
      },
      record('t1', '2025-06-03', 'food', 100n),
    ]);
    // Monday the 2nd gets less than 1000 under weekend-weighted@2: the move no longer fits.
    const { state, skipped } = replayUnder(log, { split: 'weekend-weighted@2' });
    expect(skipped).toEqual([{ index: 1, type: 'AllocationAdjusted', code: 'insufficient-allocation' }]);
    expect(state.transactions.has('t1')).toBe(true);
  });

  it('refuses unknown algorithm names and a log without a plan', () => {
    const code = (run: () => unknown): DomainErrorCode | undefined => {
      try {
        run();
      } catch (error) {
        if (error instanceof DomainError) return error.code;
        throw error;
      }
      return undefined;
    };
    expect(code(() => replayUnder(june.log, { split: 'even@9' }))).toBe('unknown-algorithm');
    expect(code(() => replayUnder(june.log, { redistribution: 'nope@1' }))).toBe('unknown-algorithm');
    expect(code(() => replayUnder([], {}))).toBe('month-not-planned');
  });

  it('(d) property: no override reproduces the fold; any override keeps allocations plus saved equal to the plan', () => {
    const overridesArb = fc.record(
      {
        split: fc.constantFrom(...splitAlgorithmNames()),
        redistribution: fc.constantFrom(...redistributionNames()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(scenarioArb(), overridesArb, (scenario, overrides) => {
        const { log, state } = decideAll([planCommand(scenario), ...toCommands(scenario)], {
          skipRejected: true,
        });
        const faithful = replayUnder(log, {});
        expect(faithful.skipped).toEqual([]);
        expect(faithful.state).toEqual(state);
        expect(allocationDiff(state, faithful.state)).toEqual([]);

        const planned = scenario.plan.reduce((t, c) => t + c.amount, 0n);
        const replayed = replayUnder(log, overrides).state;
        expect(sumCells(replayed.allocated) + replayed.saved).toBe(planned);
        for (const value of replayed.allocated.values()) expect(value >= 0n).toBe(true);
      }),
    );
  });
});

describe('what-if query (application)', () => {
  const clock = { now: () => new Date(NOW) };

  async function setUp() {
    const store = new InMemoryEventStore();
    const deps = { store, clock, ids: randomIds };
    const users = commandHandler(deps, userDecider, userCodec);
    const budgets = commandHandler(deps, decider, budgetMonthCodec);
    const context = { correlationId: 'c1' };
    await users.handle(
      'user-u1',
      {
        type: 'RegisterUser',
        data: {
          userId: 'u1',
          currency: USD,
          income: 100_000n,
          email: 'u1@example.com',
          country: 'US',
          timezone: 'UTC',
          now: NOW,
        },
      },
      context,
    );
    for (const command of juneCommands) await budgets.handle('budget-u1-2025-06', command, context);
    return { store, query: whatIf({ users, budgets, store }) };
  }

  it('reports the differences under another redistribution, and writes nothing', async () => {
    const { store, query } = await setUp();
    const before = await store.readStream('budget-u1-2025-06');
    const result = await query({
      userId: 'u1',
      month: '2025-06',
      algorithm: { redistribution: 'nearest-first@1' },
    });
    expect(await store.readStream('budget-u1-2025-06')).toHaveLength(before.length);
    const replayed = replayUnder(june.log, { redistribution: 'nearest-first@1' });
    expect(result).toEqual({
      month: '2025-06',
      currency: 'USD',
      algorithms: {
        actual: { split: 'even@1', redistribution: ['proportional@1'] },
        replayed: { split: 'even@1', redistribution: 'nearest-first@1' },
      },
      differences: allocationDiff(june.state, replayed.state),
      skipped: [],
      totals: {
        actualOverdrawn: sumCells(june.state.overdrawn),
        replayedOverdrawn: sumCells(replayed.state.overdrawn),
      },
    });
    expect(result.differences.length).toBeGreaterThan(0);
  });

  it('with no override there is nothing to report', async () => {
    const { query } = await setUp();
    const result = await query({ userId: 'u1', month: '2025-06', algorithm: {} });
    expect(result.differences).toEqual([]);
    expect(result.algorithms.replayed).toEqual({ split: 'even@1', redistribution: 'proportional@1' });
    expect(result.totals.replayedOverdrawn).toBe(result.totals.actualOverdrawn);
  });

  it('rejects an unplanned month, a bad month, an unknown algorithm and an unknown user', async () => {
    const { query } = await setUp();
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => (error instanceof DomainError ? error.code : error),
      );
    expect(await codeOf(query({ userId: 'u1', month: '2025-07', algorithm: {} }))).toBe('month-not-planned');
    expect(await codeOf(query({ userId: 'u1', month: '2025-13', algorithm: {} }))).toBe('invalid-month');
    expect(await codeOf(query({ userId: 'u1', month: '2025-06', algorithm: { split: 'x@1' } }))).toBe(
      'unknown-algorithm',
    );
    expect(
      await codeOf(query({ userId: 'u1', month: '2025-06', algorithm: { redistribution: 'x@1' } })),
    ).toBe('unknown-algorithm');
    expect(await codeOf(query({ userId: 'u2', month: '2025-06', algorithm: {} }))).toBe('user-not-found');
  });
});
