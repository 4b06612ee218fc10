import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { generatePlan, previousMonths } from '../../src/application/budget/generate-plan.js';
import { commandHandler } from '../../src/application/command-handler.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { PlannedCategory } from '../../src/domain/budget-month/events.js';
import { budgetMonthStream } from '../../src/domain/budget-month/stream-name.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import type { YearMonth } from '../../src/domain/shared/local-date.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { userDecider } from '../../src/domain/user/user.js';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory-event-store.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { fixed, flexible, NOW, record, USD } from '../support/budget-fixtures.js';

const clock = { now: () => new Date(NOW) };
const context = { correlationId: 'test' };

async function setup() {
  const store = new InMemoryEventStore();
  const deps = { store, clock, ids: randomIds };
  const users = commandHandler(deps, userDecider, userCodec);
  const budgets = commandHandler(deps, budgetMonthDecider, budgetMonthCodec);
  const userId = randomUUID();
  await users.handle(
    userStream(userId),
    {
      type: 'RegisterUser',
      data: {
        userId,
        currency: USD,
        income: 500_000n,
        now: NOW,
        email: `${userId}@example.com`,
        country: 'US',
        timezone: 'Europe/Berlin',
      },
    },
    context,
  );
  const plan = (month: string, categories: PlannedCategory[]) =>
    budgets.handle(
      budgetMonthStream(userId, month),
      {
        type: 'PlanMonth',
        data: { userId, month: month as YearMonth, currency: USD, income: 500_000n, categories, now: NOW },
      },
      context,
    );
  let tx = 0;
  const spend = (date: string, category: string, amount: bigint) =>
    budgets.handle(
      budgetMonthStream(userId, date.slice(0, 7)),
      record(`t${++tx}`, date, category, amount),
      context,
    );
  return {
    store,
    users,
    budgets,
    userId,
    plan,
    spend,
    generate: generatePlan({ users, budgets, commitmentsOf: async () => [] }),
  };
}

describe('generatePlan', () => {
  it('suggests a plan from the spending of the previous months, and writes nothing', async () => {
    const { store, userId, plan, spend, generate } = await setup();
    // Four months back: outside the window.
    await plan('2025-02', [flexible('travel', 100_000n)]);
    await spend('2025-02-10', 'travel', 90_000n);
    // 2025-03 has no plan.
    await plan('2025-04', [flexible('food', 60_000n), fixed('rent', 150_000n, 1), flexible('gym', 5_000n)]);
    await spend('2025-04-01', 'rent', 150_000n);
    await spend('2025-04-03', 'food', 30_000n);
    await spend('2025-04-20', 'food', 25_000n);
    await spend('2025-04-21', 'gym', 3_000n);
    await plan('2025-05', [flexible('food', 60_000n), fixed('rent', 150_000n, 1), flexible('fun', 20_000n)]);
    await spend('2025-05-01', 'rent', 150_000n);
    await spend('2025-05-02', 'food', 45_000n);

    const append = vi.spyOn(store, 'append');
    const result = await generate({ userId, month: '2025-06' });
    expect(append).not.toHaveBeenCalled();

    expect(result).toEqual({
      month: '2025-06',
      currency: 'USD',
      income: 500_000n,
      basis: 'history',
      categories: [
        // Median of 55000 and 45000; gym was tracked in April only; fun was never spent in: dropped.
        { category: 'food', amount: 50_000n, kind: 'flexible' },
        { category: 'gym', amount: 3_000n, kind: 'flexible' },
        { category: 'rent', amount: 150_000n, kind: 'fixed', dueDay: 1 },
      ],
      savings: 500_000n - 203_000n,
    });
  });

  it('uses 50/30/20 for a user with no history', async () => {
    const { userId, generate } = await setup();
    const result = await generate({ userId, month: '2025-06' });
    expect(result.basis).toBe('rule-50-30-20');
    expect(result.savings).toBe(100_000n);
    expect(result.categories.map((c) => [c.category, c.amount])).toEqual([
      ['eating-out', 60_000n],
      ['entertainment', 45_000n],
      ['groceries', 50_000n],
      ['housing', 150_000n],
      ['shopping', 45_000n],
      ['transport', 25_000n],
      ['utilities', 25_000n],
    ]);
  });

  it('ignores previous months that were planned but have no expenses', async () => {
    const { userId, plan, generate } = await setup();
    await plan('2025-05', [flexible('food', 60_000n)]);
    expect((await generate({ userId, month: '2025-06' })).basis).toBe('rule-50-30-20');
  });

  it('rejects an invalid month and an unknown user', async () => {
    const { userId, generate } = await setup();
    await expect(generate({ userId, month: '2025-13' })).rejects.toMatchObject({ code: 'invalid-month' });
    await expect(generate({ userId: randomUUID(), month: '2025-06' })).rejects.toBeInstanceOf(DomainError);
    await expect(generate({ userId: randomUUID(), month: '2025-06' })).rejects.toMatchObject({
      code: 'user-not-found',
    });
  });

  it('counts previous months across a year boundary', () => {
    expect(previousMonths('2025-02' as YearMonth, 3)).toEqual(['2025-01', '2024-12', '2024-11']);
    expect(previousMonths('2025-12' as YearMonth, 1)).toEqual(['2025-11']);
  });
});
