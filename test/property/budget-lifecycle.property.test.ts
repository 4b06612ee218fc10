import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldAsOf } from '../../src/application/audit/as-of.query.js';
import { FoldCheckpoints } from '../../src/application/audit/fold-checkpoints.js';
import { commandHandler } from '../../src/application/command-handler.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { budgetMonthDecider as decider } from '../../src/domain/budget-month/budget-month.js';
import { type Cells, cellAmount, parseCellKey, sumCells } from '../../src/domain/budget-month/cells.js';
import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import type { BudgetMonthEvent, PlannedCategory } from '../../src/domain/budget-month/events.js';
import {
  type BudgetMonthState,
  foldBudgetMonth,
  type PlannedMonth,
} from '../../src/domain/budget-month/state.js';
import { allocationDiff, replayUnder } from '../../src/domain/budget-month/what-if.js';
import type { Category } from '../../src/domain/shared/category.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import { dateInMonth, dayOfMonth, daysInMonth } from '../../src/domain/shared/local-date.js';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory-event-store.js';
import { planCommand, type Scenario, scenarioArb, toCommands } from '../support/budget-arbitraries.js';

const NOW = '2030-01-01T00:00:00.000Z';

/**
 * A month as people live it: expenses before the plan (the plan comes at `planAt`), in categories the
 * plan does not name, re-plans from some day on (amounts changed, categories dropped or added), moves
 * out to another month, on top of the engine's records, amends, voids, rebalances, adjustments and
 * day closes.
 */
const lifeArb = fc.record({
  scenario: scenarioArb(40),
  planAt: fc.nat(8),
  replans: fc.array(
    fc.record({
      at: fc.nat(60),
      day: fc.integer({ min: 1, max: 31 }),
      amounts: fc.array(fc.bigInt({ min: 0n, max: 5_000_000n }), { minLength: 1, maxLength: 20 }),
      drop: fc.boolean(),
      add: fc.boolean(),
    }),
    { maxLength: 4 },
  ),
  extras: fc.array(
    fc.record({
      at: fc.nat(60),
      kind: fc.constantFrom('unplanned-category' as const, 'move-out' as const),
      n: fc.nat(60),
      day: fc.integer({ min: 1, max: 31 }),
      amount: fc.bigInt({ min: 1n, max: 300_000n }),
    }),
    { maxLength: 8 },
  ),
});
type Life = typeof lifeArb extends fc.Arbitrary<infer T> ? T : never;

function commandsOf(life: Life): BudgetMonthCommand[] {
  const s: Scenario = life.scenario;
  const days = daysInMonth(s.month);
  const dayOf = (d: number) => dateInMonth(s.month, Math.min(d, days));
  const commands = toCommands(s);
  const inserts: [number, BudgetMonthCommand][] = [[life.planAt, planCommand(s)]];
  for (const r of life.replans) {
    let categories: PlannedCategory[] = s.plan.map((c, i) => ({
      ...c,
      amount: r.amounts[i % r.amounts.length] as bigint,
    }));
    if (r.drop && categories.length > 1) categories = categories.slice(1);
    if (r.add)
      categories.push({ category: 'added' as Category, amount: r.amounts[0] as bigint, kind: 'flexible' });
    const income = categories.reduce((t, c) => t + c.amount, 0n);
    inserts.push([
      r.at,
      {
        type: 'PlanMonth',
        data: {
          userId: 'u',
          month: s.month,
          currency: s.currency,
          income,
          categories,
          effectiveFrom: dayOf(r.day),
          now: NOW,
        },
      },
    ]);
  }
  for (const e of life.extras) {
    if (e.kind === 'unplanned-category') {
      inserts.push([
        e.at,
        {
          type: 'RecordExpense',
          data: {
            transactionId: `u${e.n}`,
            day: dayOf(e.day),
            category: `x${e.n % 3}` as Category,
            amount: e.amount,
            currency: s.currency,
            source: 'manual',
            now: NOW,
          },
        },
      ]);
    } else {
      const other = `${s.month === '2040-12' ? '2040-11' : s.month.slice(0, 5)}${s.month.endsWith('-12') ? '11' : '12'}`;
      inserts.push([
        e.at,
        {
          type: 'VoidExpense',
          data: {
            transactionId: `t${e.n}`,
            movedTo: { day: `${other}-01` as never, category: 'c0' as Category, amount: e.amount },
            now: NOW,
          },
        },
      ]);
    }
  }
  const result = [...commands];
  for (const [at, command] of inserts.sort((a, b) => b[0] - a[0])) {
    result.splice(Math.min(at, result.length), 0, command);
  }
  return result;
}

function run(
  life: Life,
  check: (before: BudgetMonthState, after: BudgetMonthState, events: BudgetMonthEvent[]) => void,
) {
  let state: BudgetMonthState = decider.initialState();
  const log: BudgetMonthEvent[] = [];
  for (const command of commandsOf(life)) {
    let events: BudgetMonthEvent[];
    try {
      events = decider.decide(command, state);
    } catch (error) {
      if (error instanceof DomainError) continue;
      throw error;
    }
    const next = events.reduce(decider.evolve, state);
    check(state, next, events);
    state = next;
    log.push(...events);
  }
  return { state, log };
}

const planTotal = (state: PlannedMonth) => state.plan.reduce((t, c) => t + c.amount, 0n);
const uncovered = (state: PlannedMonth, key: string) => {
  const over = (state.spent.get(key as never) ?? 0n) - (state.allocated.get(key as never) ?? 0n);
  return over > 0n ? over : 0n;
};
const keysOf = (...cells: Cells[]) => new Set(cells.flatMap((c) => [...c.keys()]));

/** Runs every Rebalance the reaction would: one per cell still uncovered and not declared overdrawn. */
function settle(state: BudgetMonthState): { state: BudgetMonthState; log: BudgetMonthEvent[] } {
  if (state.status !== 'planned') return { state, log: [] };
  let current: BudgetMonthState = state;
  const log: BudgetMonthEvent[] = [];
  for (const key of [...state.spent.keys()].sort()) {
    const { day, category } = parseCellKey(key);
    const events = decider.decide(
      {
        type: 'Rebalance',
        data: { day: dateInMonth(state.month, day), category, causedBy: 'settle', now: NOW },
      },
      current,
    );
    current = events.reduce(decider.evolve, current);
    log.push(...events);
  }
  return { state: current, log };
}

describe('BudgetMonth lifecycle invariants (unplanned months and categories, re-plans, undo, moves)', () => {
  it('conservation: allocations plus savings equal the current plan, whatever was re-planned', () => {
    fc.assert(
      fc.property(lifeArb, (life) => {
        run(life, (_, after) => {
          if (after.status !== 'planned') return;
          expect(sumCells(after.allocated) + after.saved).toBe(planTotal(after));
        });
      }),
    );
  });

  it('no negative allocation; a re-plan changes only days from its effective day and only categories it changed', () => {
    fc.assert(
      fc.property(lifeArb, (life) => {
        run(life, (before, after, events) => {
          if (after.status !== 'planned') return;
          for (const value of after.allocated.values()) expect(value >= 0n).toBe(true);
          const replanned = events.find((e) => e.type === 'BudgetReplanned');
          if (!replanned || before.status !== 'planned') return;
          const from = dayOfMonth(replanned.data.effectiveFrom);
          const oldAmount = new Map(before.plan.map((p) => [p.category, p.amount]));
          const newAmount = new Map(replanned.data.categories.map((p) => [p.category, p.amount]));
          for (const key of keysOf(before.allocated, after.allocated)) {
            if ((before.allocated.get(key) ?? 0n) === (after.allocated.get(key) ?? 0n)) continue;
            const { day, category } = parseCellKey(key);
            expect(day).toBeGreaterThanOrEqual(from);
            expect(newAmount.get(category) ?? 0n).not.toBe(oldAmount.get(category) ?? 0n);
          }
        });
      }),
    );
  });

  it('overdrawn never exceeds what is uncovered, equals it once rebalanced, and returns to 0 when the expenses are voided', () => {
    fc.assert(
      fc.property(lifeArb, (life) => {
        const { state } = run(life, (_, after) => {
          if (after.status !== 'planned') return;
          for (const [key, amount] of after.overdrawn) {
            expect(amount >= 0n).toBe(true);
            expect(amount <= uncovered(after, key)).toBe(true);
          }
        });
        const settled = settle(state).state;
        if (settled.status !== 'planned') return;
        for (const key of keysOf(settled.spent, settled.allocated, settled.overdrawn)) {
          expect(cellAmount(settled.overdrawn, parseCellKey(key).day, parseCellKey(key).category)).toBe(
            uncovered(settled, key),
          );
        }
        let voided: BudgetMonthState = settled;
        for (const [id, t] of settled.transactions) {
          if (t.voided) continue;
          const events = decider.decide(
            { type: 'VoidExpense', data: { transactionId: id, now: NOW } },
            voided,
          );
          voided = events.reduce(decider.evolve, voided);
        }
        expect(sumCells((voided as PlannedMonth).overdrawn)).toBe(0n);
      }),
    );
  });

  it('replay determinism, and what-if under the recorded versions is an empty diff', () => {
    fc.assert(
      fc.property(lifeArb, (life) => {
        const { state, log } = run(life, () => undefined);
        expect(log.reduce(decider.evolve, decider.initialState())).toEqual(state);
        if (state.status !== 'planned') return;
        const replay = replayUnder(log, {});
        expect(replay.skipped).toEqual([]);
        expect(allocationDiff(state, replay.state)).toEqual([]);
      }),
    );
  });

  it('a fold from a cached state equals the full fold, and never changes the cached state', () => {
    fc.assert(
      fc.property(lifeArb, fc.nat(), (life, cut) => {
        const { state, log } = run(life, () => undefined);
        const at = log.length === 0 ? 0 : cut % log.length;
        const cached = foldBudgetMonth(decider.initialState(), log.slice(0, at));
        const before = structuredClone(cached);
        expect(foldBudgetMonth(cached, log.slice(at))).toEqual(state);
        expect(foldBudgetMonth(decider.initialState(), log)).toEqual(state);
        expect(cached).toEqual(before);
      }),
    );
  });

  it('a command handler whose cache another process writes behind decides as a fresh full fold would', async () => {
    await fc.assert(
      fc.asyncProperty(lifeArb, fc.array(fc.boolean(), { minLength: 1 }), async (life, whoWrites) => {
        const store = new InMemoryEventStore();
        let id = 0;
        const deps = { store, clock: { now: () => new Date(NOW) }, ids: { uuid: () => `id-${id++}` } };
        const processes = [
          commandHandler(deps, decider, budgetMonthCodec),
          commandHandler(deps, decider, budgetMonthCodec),
        ];
        const stream = 'budget-u-cache';
        for (const [i, command] of commandsOf(life).entries()) {
          const handler = processes[whoWrites[i % whoWrites.length] ? 1 : 0] as (typeof processes)[number];
          await handler.handle(stream, command, { correlationId: 'c' }).catch((error: unknown) => {
            if (!(error instanceof DomainError)) throw error;
          });
        }
        const fresh = await commandHandler({ ...deps, cachedStreams: 0 }, decider, budgetMonthCodec).load(
          stream,
        );
        for (const handler of processes) expect(await handler.load(stream)).toEqual(fresh);
      }),
      { numRuns: 100 },
    );
  });

  it('an as-of fold that starts from checkpoints equals the fold of the whole prefix, at any instant', async () => {
    await fc.assert(
      fc.asyncProperty(
        lifeArb,
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        async (life, instants) => {
          const store = new InMemoryEventStore();
          let tick = Date.parse(NOW);
          let id = 0;
          const clock = {
            now: () => {
              tick += 1000;
              return new Date(tick);
            },
          };
          const handler = commandHandler(
            { store, clock, ids: { uuid: () => `id-${id++}` } },
            decider,
            budgetMonthCodec,
          );
          const stream = 'budget-u-asof';
          for (const command of commandsOf(life)) {
            await handler.handle(stream, command, { correlationId: 'c' }).catch((error: unknown) => {
              if (!(error instanceof DomainError)) throw error;
            });
          }
          const recorded = await store.readStream(stream);
          const folding = { decider, codec: budgetMonthCodec, checkpoints: new FoldCheckpoints(3) };
          for (const n of instants) {
            const asOf = new Date(Date.parse(NOW) + (n % (recorded.length + 2)) * 1000);
            const prefix = recorded.filter((e) => Date.parse(e.metadata.occurredAt) <= asOf.getTime());
            const expected = prefix
              .map((e) => budgetMonthCodec.decode(e))
              .reduce(decider.evolve, decider.initialState());
            const { state, version } = await foldAsOf(store, stream, folding, asOf);
            expect(state).toEqual(expected);
            expect(version).toBe(BigInt(prefix.length) - 1n);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
