import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsProjection, normaliseMerchant } from '../../projections/analytics/index.js';
import { PostgresAnalyticsReadModel } from '../../projections/analytics/read-model.js';
import { dashboard, percentString, trends } from '../../src/application/analytics/dashboard.query.js';
import { commandHandler } from '../../src/application/command-handler.js';
import { readYourWrites } from '../../src/application/consistency/read-your-writes.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import { parseCellKey } from '../../src/domain/budget-month/cells.js';
import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import type { BudgetMonthEvent } from '../../src/domain/budget-month/events.js';
import type { BudgetMonthState } from '../../src/domain/budget-month/state.js';
import { budgetMonthStream } from '../../src/domain/budget-month/stream-name.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import { dateInMonth, type YearMonth } from '../../src/domain/shared/local-date.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { userDecider } from '../../src/domain/user/user.js';
import { InProcessWritePositions } from '../../src/infrastructure/consistency/in-process-write-positions.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { errorHandler } from '../../src/interfaces/http/problem.js';
import { analyticsRoutes } from '../../src/interfaces/http/routes/analytics.routes.js';
import { planArb, planCommand, scenarioArb, toCommands } from '../support/budget-arbitraries.js';
import { cat, day, fixed, flexible, record, USD } from '../support/budget-fixtures.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead } from '../support/settled.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
const runner = new ProjectionRunner(
  db.pool,
  store,
  [analyticsProjection],
  createLogger((process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent'),
  {
    idleMs: 20,
  },
);
await runner.ensureGenerations();
await runner.start();
afterAll(async () => {
  await runner.stop();
  await store.close();
});

let now = new Date('2025-06-10T12:00:00Z');
const clock = { now: () => now };
const users = commandHandler({ store, clock, ids: randomIds }, userDecider, userCodec);
const budgets = commandHandler({ store, clock, ids: randomIds }, budgetMonthDecider, budgetMonthCodec);
const deps = { users, analytics: new PostgresAnalyticsReadModel(db.pool), clock };
// As the application serves them: read-your-writes, with `minPosition` for the tests' own writes.
const consistent = readYourWrites({ writes: new InProcessWritePositions(), timeoutMs: 15_000 });
const analyticsDashboard = consistent.query([deps.analytics], dashboard(deps));
const analyticsTrends = consistent.query([deps.analytics], trends(deps));
const ctx = { correlationId: randomUUID() };
const NOW = '2025-06-10T12:00:00.000Z';

async function registerUser(): Promise<string> {
  const userId = randomUUID();
  await users.handle(
    userStream(userId),
    {
      type: 'RegisterUser',
      data: {
        userId,
        currency: USD,
        income: 100_000n,
        now: NOW,
        email: `${userId}@example.com`,
        country: 'US',
        timezone: 'UTC',
      },
    },
    ctx,
  );
  return userId;
}

const budget = async (userId: string, month: string, command: BudgetMonthCommand) => {
  const handled = await budgets.handle(budgetMonthStream(userId, month), command, ctx);
  expect(handled.events.length).toBeGreaterThan(0);
  return handled;
};

/**
 * June 2025 (30 days), today the 10th (UTC): rent 500.00 due on the 5th, food 300.00 (10.00 a day).
 * Day 3 overspends and is rebalanced; day 4 overspends and is not (yet); days 2, 6 (a voided expense)
 * and 9 spend nothing; day 8's expense is amended from 30.00 to 6.00.
 */
async function juneScenario(userId: string) {
  await budget(userId, '2025-06', {
    type: 'PlanMonth',
    data: {
      userId,
      month: '2025-06' as YearMonth,
      currency: USD,
      income: 100_000n,
      categories: [flexible('food', 30_000n), fixed('rent', 50_000n, 5)],
      now: NOW,
    },
  });
  const june = (command: BudgetMonthCommand) => budget(userId, '2025-06', command);
  await june(record('t1', '2025-06-01', 'food', 800n, { merchant: 'Cafe Luna ' }));
  await june(record('t3', '2025-06-03', 'food', 1500n, { merchant: 'Grocer' }));
  await june({
    type: 'Rebalance',
    data: {
      day: day('2025-06-03'),
      category: cat('food'),
      causedBy: 't3',
      algorithm: 'proportional@1',
      now: NOW,
    },
  });
  await june(record('t4', '2025-06-04', 'food', 2000n, { merchant: ' grocer' }));
  await june(record('t5', '2025-06-05', 'rent', 50_000n, { merchant: 'ACME Property' }));
  await june(record('t6', '2025-06-06', 'food', 300n, { merchant: 'Bakery' }));
  await june({ type: 'VoidExpense', data: { transactionId: 't6', now: NOW } });
  await june(record('t7', '2025-06-07', 'food', 400n));
  await june(record('t8', '2025-06-08', 'food', 3000n, { merchant: 'Cafe Luna' }));
  await june({
    type: 'AmendExpense',
    data: { transactionId: 't8', amount: 600n, currency: USD, now: NOW },
  });
  await june(record('t10', '2025-06-10', 'food', 200n, { merchant: 'BAKERY' }));
}

describe('analytics projection and dashboard on PostgreSQL', () => {
  it('reports adherence, no-spend days, streaks, categories and top merchants for a fixed clock', async () => {
    now = new Date('2025-06-10T12:00:00Z');
    const userId = await registerUser();
    await juneScenario(userId);

    const d = await analyticsDashboard({ userId, minPosition: await committedHead(db.pool) });
    expect(d.caughtUp).toBe(true);
    expect(d.month).toBe('2025-06');
    expect(d.today).toBe('2025-06-10');
    expect(d.planned).toBe(true);
    expect(d.total).toEqual({ allocated: 80_000n, spent: 55_500n, transactions: 7 });
    expect(d.adherence).toEqual({ daysSoFar: 10, daysWithin: 9, percent: '90.0' });
    expect(d.noSpendDays).toBe(3);
    expect(d.streaks).toEqual({ current: 6, longest: 6 });
    expect(d.averageDailySpend).toBe(5550n);
    expect(d.categories).toEqual([
      { category: 'rent', allocated: 50_000n, spent: 50_000n, transactions: 1, sharePercent: '90.1' },
      { category: 'food', allocated: 30_000n, spent: 5_500n, transactions: 6, sharePercent: '9.9' },
    ]);
    expect(d.topMerchants).toEqual([
      { merchant: 'acme property', spent: 50_000n, transactions: 1, sharePercent: '90.1' },
      { merchant: 'grocer', spent: 3_500n, transactions: 2, sharePercent: '6.3' },
      { merchant: 'cafe luna', spent: 1_400n, transactions: 2, sharePercent: '2.5' },
      { merchant: 'bakery', spent: 200n, transactions: 1, sharePercent: '0.4' },
    ]);
    expect(d.days).toHaveLength(30);
    expect(d.days[2]).toEqual({
      date: '2025-06-03',
      allocated: 1_500n,
      spent: 1_500n,
      transactions: 1,
      status: 'within',
    });
    expect(d.days[3]).toMatchObject({ spent: 2_000n, status: 'over' });
    expect(d.days[5]).toMatchObject({ spent: 0n, transactions: 0, status: 'within' });
    expect(d.days[7]).toMatchObject({ spent: 600n, transactions: 1, status: 'within' });
    expect(d.days[10]).toMatchObject({ status: 'upcoming' });
    expect(d.days.reduce((t, x) => t + x.allocated, 0n)).toBe(80_000n);

    // Today overspent: it breaks nothing yet (a rebalance may cover it), but it counts against adherence.
    const { position } = await budget(
      userId,
      '2025-06',
      record('t10b', '2025-06-10', 'food', 5_000n, { merchant: 'Bakery' }),
    );
    const after = await analyticsDashboard({
      userId,
      month: '2025-06',
      ...(position ? { minPosition: position } : {}),
    });
    expect(after.caughtUp).toBe(true);
    expect(after.adherence).toEqual({ daysSoFar: 10, daysWithin: 8, percent: '80.0' });
    expect(after.streaks).toEqual({ current: 5, longest: 5 });
    expect(after.topMerchants[1]).toEqual({
      merchant: 'bakery',
      spent: 5_200n,
      transactions: 2,
      sharePercent: '8.6',
    });

    // The next day, yesterday's overspend ends the streak.
    now = new Date('2025-06-11T08:00:00Z');
    const nextDay = await analyticsDashboard({ userId });
    expect(nextDay.streaks).toEqual({ current: 1, longest: 5 });
    expect(nextDay.adherence).toEqual({ daysSoFar: 11, daysWithin: 9, percent: '81.8' });
    expect(nextDay.noSpendDays).toBe(4);
    now = new Date('2025-06-10T12:00:00Z');
  });

  it('shows month-over-month trends per category, ending with the current month', async () => {
    now = new Date('2025-06-10T12:00:00Z');
    const userId = await registerUser();
    await budget(userId, '2025-05', {
      type: 'PlanMonth',
      data: {
        userId,
        month: '2025-05' as YearMonth,
        currency: USD,
        income: 100_000n,
        categories: [flexible('food', 31_000n)],
        now: NOW,
      },
    });
    await budget(userId, '2025-05', record('m1', '2025-05-20', 'food', 11_000n, { merchant: 'Grocer' }));
    await juneScenario(userId);

    const t = await analyticsTrends({ userId, months: 2, minPosition: await committedHead(db.pool) });
    expect(t.caughtUp).toBe(true);
    expect(t.months).toEqual([
      {
        month: '2025-05',
        allocated: 31_000n,
        spent: 11_000n,
        adherence: { daysSoFar: 31, daysWithin: 30, percent: '96.8' },
        change: { amount: 11_000n, percent: null },
        categories: [
          {
            category: 'food',
            allocated: 31_000n,
            spent: 11_000n,
            change: { amount: 11_000n, percent: null },
          },
        ],
      },
      {
        month: '2025-06',
        allocated: 80_000n,
        spent: 55_500n,
        adherence: { daysSoFar: 10, daysWithin: 9, percent: '90.0' },
        change: { amount: 44_500n, percent: '404.5' },
        categories: [
          {
            category: 'food',
            allocated: 30_000n,
            spent: 5_500n,
            change: { amount: -5_500n, percent: '-50.0' },
          },
          {
            category: 'rent',
            allocated: 50_000n,
            spent: 50_000n,
            change: { amount: 50_000n, percent: null },
          },
        ],
      },
    ]);
    const year = await analyticsTrends({ userId, months: 12 });
    expect(year.months.map((m) => m.month)).toEqual([
      '2024-07',
      '2024-08',
      '2024-09',
      '2024-10',
      '2024-11',
      '2024-12',
      '2025-01',
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
    ]);
    expect(year.months[0]).toMatchObject({ spent: 0n, adherence: { daysSoFar: 31, daysWithin: 31 } });
    await expect(analyticsTrends({ userId, months: 25 })).rejects.toBeInstanceOf(DomainError);
  });

  it('formats percentages with one decimal, rounding half away from zero', () => {
    expect(percentString(1n, 3n)).toBe('33.3');
    expect(percentString(-1n, 3n)).toBe('-33.3');
    expect(percentString(1n, 8n)).toBe('12.5');
    expect(percentString(1n, 1600n)).toBe('0.1');
    expect(percentString(-1n, 3000n)).toBe('0.0');
    expect(percentString(5n, 0n)).toBeNull();
  });
});

describe('analytics routes', () => {
  let base = '';
  let userId = '';
  let close: () => void = () => undefined;
  beforeAll(async () => {
    now = new Date('2025-06-10T12:00:00Z');
    userId = await registerUser();
    await juneScenario(userId);
    const app = express();
    app.set('query parser', 'simple');
    app.use(
      '/api/analytics',
      analyticsRoutes({
        verifyAccessToken: async (token) =>
          token === 'good' ? { userId, scopes: ['read:analytics'] } : undefined,
        analyticsDashboard,
        analyticsTrends,
      }),
    );
    app.use(errorHandler);
    const server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/analytics`;
    close = () => server.close();
  });
  afterAll(() => close());

  const get = (path: string, token = 'good') =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('answers with amounts as decimal strings', async () => {
    const head = await committedHead(db.pool);
    const res = await get(`/dashboard?month=2025-06&after=${head}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('daybook-caught-up')).toBe('true');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      month: '2025-06',
      currency: 'USD',
      total: { allocated: '800.00', spent: '555.00', remaining: '245.00', transactions: 7 },
      averageDailySpend: '55.50',
      adherence: { daysSoFar: 10, daysWithin: 9, percent: '90.0' },
      noSpendDays: 3,
      streaks: { current: 6, longest: 6 },
    });
    expect((body.topMerchants as unknown[])[0]).toEqual({
      merchant: 'acme property',
      spent: '500.00',
      transactions: 1,
      sharePercent: '90.1',
    });
    const trendsRes = await get('/trends?months=1');
    expect(trendsRes.status).toBe(200);
    expect(await trendsRes.json()).toMatchObject({
      currency: 'USD',
      months: [{ month: '2025-06', spent: '555.00', change: { amount: '555.00', percent: null } }],
    });
    expect((await get('/trends')).status).toBe(200);
  });

  it('answers bad values with 400 problem+json, and no token with 401', async () => {
    for (const path of [
      '/dashboard?month=2025-6',
      '/dashboard?month=2025-13',
      '/dashboard?month=2025-06&month=2025-07',
      '/dashboard?after=nope',
      '/trends?months=0',
      '/trends?months=25',
      '/trends?months=abc',
      '/trends?months=1.5',
      '/trends?months=-1',
      '/trends?after=1.2.3',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toContain('application/problem+json');
    }
    expect((await get('/dashboard', 'bad')).status).toBe(401);
  });
});

describe('analytics projection batches', () => {
  const schemas = [`analytics_prop_one_${process.pid}`, `analytics_prop_many_${process.pid}`] as const;
  beforeAll(async () => {
    for (const schema of schemas) {
      await db.pool.query(`CREATE SCHEMA ${schema}`);
      await db.pool.query(analyticsProjection.ddl(schema));
    }
  });

  const TABLES = [
    ['daily_totals', 'day'],
    ['category_months', 'month, category'],
    ['merchant_months', 'month, merchant'],
    ['plans', 'month'],
    ['expenses', 'month, transaction_id'],
  ] as const;

  /** Every table's rows for one user, in key order, as one JSON document. */
  async function snapshot(schema: string, userId: string): Promise<Record<string, unknown>> {
    const parts = TABLES.map(
      ([table, order]) =>
        `'${table}', coalesce((SELECT json_agg(t ORDER BY ${order}) FROM ${schema}.${table} t WHERE user_id = $1), '[]')`,
    );
    const { rows } = await db.pool.query<{ s: Record<string, unknown> }>(
      `SELECT json_build_object(${parts.join(', ')}) AS s`,
      [userId],
    );
    return rows[0]?.s ?? {};
  }

  const replanArb = fc.option(
    fc.record({
      plan: planArb,
      split: fc.constantFrom('even@1', 'weekend-weighted@2'),
      at: fc.nat(),
    }),
    { freq: 2 },
  );

  const merchantsArb = fc.array(fc.constantFrom(undefined, null, 'Cafe', ' cafe ', 'CAFE', 'Shop'), {
    minLength: 1,
    maxLength: 6,
  });

  it('gives the same rows in one batch as in many, and allocations that match the aggregate', async () => {
    const client = await db.pool.connect();
    try {
      await fc.assert(
        fc.asyncProperty(
          scenarioArb(20),
          replanArb,
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
          merchantsArb,
          async (scenario, replan, sizes, merchants) => {
            // Expenses name merchants that normalise together (or none); amendments may change or clear them.
            const commands = toCommands(scenario).map((command, i): BudgetMonthCommand => {
              const merchant = merchants[i % merchants.length];
              if (command.type === 'RecordExpense' && typeof merchant === 'string')
                return { ...command, data: { ...command.data, merchant } };
              if (command.type === 'AmendExpense' && merchant !== undefined)
                return { ...command, data: { ...command.data, merchant } };
              return command;
            });
            if (replan) {
              const base = planCommand(scenario) as Extract<BudgetMonthCommand, { type: 'PlanMonth' }>;
              const income = replan.plan.reduce((t, c) => t + c.amount, 0n);
              commands.splice(replan.at % (commands.length + 1), 0, {
                type: 'PlanMonth',
                data: { ...base.data, income, categories: replan.plan, splitAlgorithm: replan.split },
              });
            }
            let state: BudgetMonthState = budgetMonthDecider.initialState();
            const log: BudgetMonthEvent[] = [];
            for (const command of [planCommand(scenario), ...commands]) {
              let events: BudgetMonthEvent[];
              try {
                events = budgetMonthDecider.decide(command, state);
              } catch (error) {
                if (error instanceof DomainError) continue;
                throw error;
              }
              state = events.reduce(budgetMonthDecider.evolve, state);
              log.push(...events);
            }
            const userId = randomUUID();
            const streamName = `budget-${userId}-${scenario.month}`;
            const recorded = log.map((event, i): RecordedEvent => {
              const { type, data, schemaVersion } = budgetMonthCodec.encode(event);
              return {
                id: randomUUID(),
                type,
                data,
                metadata: {
                  correlationId: 'c',
                  occurredAt: '2030-01-01T00:00:00.000Z',
                  schemaVersion,
                  prevHash: '',
                  hash: '',
                },
                streamName,
                revision: BigInt(i),
                position: `${i + 1}.0`,
              };
            });

            await analyticsProjection.applyBatch(client, schemas[0], recorded);
            for (let at = 0, i = 0; at < recorded.length; i++) {
              const size = sizes[i % sizes.length] as number;
              await analyticsProjection.applyBatch(client, schemas[1], recorded.slice(at, at + size));
              at += size;
            }
            const one = await snapshot(schemas[0], userId);
            expect(await snapshot(schemas[1], userId)).toEqual(one);

            // Per day, allocated and spent equal the aggregate's cells summed over categories.
            const expected = new Map<string, { allocated: bigint; spent: bigint }>();
            if (state.status === 'planned') {
              for (const [cells, field] of [
                [state.allocated, 'allocated'],
                [state.spent, 'spent'],
              ] as const) {
                for (const [key, amount] of cells) {
                  const date = dateInMonth(scenario.month, parseCellKey(key).day);
                  const totals = expected.get(date) ?? { allocated: 0n, spent: 0n };
                  totals[field] += amount;
                  expected.set(date, totals);
                }
              }
            }
            const rows = one.daily_totals as { day: string; allocated: number; spent: number }[];
            const actual = new Map(
              rows.map((r) => [r.day, { allocated: BigInt(r.allocated), spent: BigInt(r.spent) }]),
            );
            const zero = { allocated: 0n, spent: 0n };
            for (const date of new Set([...expected.keys(), ...actual.keys()])) {
              expect(actual.get(date) ?? zero, date).toEqual(expected.get(date) ?? zero);
            }
            const sum = (values: Iterable<bigint>) => [...values].reduce((t, v) => t + v, 0n);
            const allocatedInMonth = sum(rows.map((r) => BigInt(r.allocated)));
            expect(allocatedInMonth).toBe(state.status === 'planned' ? sum(state.allocated.values()) : 0n);
            const liveExpenses =
              state.status === 'planned'
                ? [...state.transactions.values()].filter((t) => !t.voided).length
                : 0;
            const categories = one.category_months as { transactions: number }[];
            expect(categories.reduce((t, c) => t + c.transactions, 0)).toBe(liveExpenses);
            // Per normalised merchant, the live expenses' amounts and count.
            const byMerchant = new Map<string, { spent: bigint; transactions: number }>();
            if (state.status === 'planned') {
              for (const t of state.transactions.values()) {
                if (t.voided) continue;
                const name = normaliseMerchant(t.current.merchant);
                const totals = byMerchant.get(name) ?? { spent: 0n, transactions: 0 };
                byMerchant.set(name, {
                  spent: totals.spent + t.current.amount,
                  transactions: totals.transactions + 1,
                });
              }
            }
            const merchantRows = one.merchant_months as {
              merchant: string;
              spent: number;
              transactions: number;
            }[];
            const live = merchantRows
              .filter((m) => m.transactions !== 0 || m.spent !== 0)
              .map((m) => [m.merchant, { spent: BigInt(m.spent), transactions: m.transactions }] as const);
            expect(new Map(live)).toEqual(byMerchant);
          },
        ),
      );
    } finally {
      client.release();
    }
  }, 600_000);
});
