import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { type Api, registerUser, startTestApp } from '../support/app.js';
import { testDatabase } from '../support/postgres.js';

const sum = (values: string[]) => values.reduce((t, v) => t + Math.round(Number(v) * 100), 0);

async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (ok(value)) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const monthDays = async (api: Api, token: string, month: string) =>
  (await api('GET', `/api/calendar/monthly/${month}`, { token })).body.days as {
    date: string;
    allocated: string;
    spent: string;
  }[];

describe('budget engine over HTTP', () => {
  it('rebalances an overspend within 2 s of the response, conserving the month to the cent', async () => {
    const { api } = await startTestApp();
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    const recorded = await api('POST', '/api/transactions', {
      token,
      body: { amount: '25.00', category: 'food', date: '2025-06-01' },
    });
    expect(recorded.body.overspentBy).toBe('5.00');

    const { value: day1 } = await eventually(
      () => api('GET', '/api/budget/daily/2025-06-01', { token }),
      (r) => r.body.categories[0]?.allocated === '25.00',
      2000,
    );
    expect(day1.body.categories[0]).toEqual({
      category: 'food',
      allocated: '25.00',
      spent: '25.00',
      remaining: '0.00',
    });
    const days = await monthDays(api, token, '2025-06');
    for (const day of days.slice(1)) expect(Number(day.allocated)).toBeLessThan(20);
    expect(sum(days.map((d) => d.allocated))).toBe(60000);
    const monthly = await api('GET', '/api/budget/monthly?month=2025-06', { token });
    expect(monthly.body.total).toMatchObject({
      planned: '600.00',
      allocated: '600.00',
      spent: '25.00',
      remaining: '575.00',
    });
    expect(monthly.body.overdrawn).toBe('0.00');
  });

  it('declares MonthOverdrawn with the exact shortfall when the rest of the month cannot cover', async () => {
    const { api } = await startTestApp();
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '300.00' }] },
    });
    await api('POST', '/api/transactions', {
      token,
      body: { amount: '400.00', category: 'food', date: '2025-06-28' },
    });
    const { value } = await eventually(
      () => api('GET', '/api/budget/monthly?month=2025-06', { token }),
      (r) => r.body.overdrawn !== '0.00',
      3000,
    );
    // Day 28 had 10.00; days 29 and 30 give their 20.00; 400.00 - 30.00 = 370.00 cannot be covered.
    expect(value.body.overdrawn).toBe('370.00');
    expect(value.body.total.allocated).toBe('300.00');
  });

  it('lets a worker that was down when the overspend happened rebalance it exactly once when it comes back', async () => {
    const db = await testDatabase({ migrate: false });
    const apiOnly = await startTestApp({ DAYBOOK_ROLES: 'api' }, { databaseUrl: db.url });
    const { token, userId } = await registerUser(apiOnly.api);
    await apiOnly.api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    await apiOnly.api('POST', '/api/transactions', {
      token,
      body: { amount: '30.00', category: 'food', date: '2025-06-10' },
    });
    await new Promise((r) => setTimeout(r, 1200));
    const store = new PostgresEventStore(db.pool);
    const stream = `budget-${userId}-2025-06`;
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual([
      'BudgetPlanned',
      'ExpenseRecorded',
      'OverspendDetected',
    ]);
    await apiOnly.stop();

    const worker = await startTestApp({ DAYBOOK_ROLES: 'api,worker' }, { databaseUrl: db.url });
    await eventually(
      () => worker.api('GET', '/api/budget/daily/2025-06-10', { token }),
      (r) => r.body.categories[0]?.allocated === '30.00',
      5000,
    );
    // A manual trigger and a second worker process on top change nothing more.
    const manual = await worker.api('POST', '/api/budget/redistribute', {
      token,
      body: { month: '2025-06' },
    });
    expect(manual.body.events).toEqual([]);
    const second = await startTestApp({ DAYBOOK_ROLES: 'worker' }, { databaseUrl: db.url });
    await new Promise((r) => setTimeout(r, 1000));
    await second.stop();

    const events = await store.readStream(stream);
    expect(events.filter((e) => e.type === 'BudgetRebalanced')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'OverspendDetected')).toHaveLength(1);
    const rebalanced = events.find((e) => e.type === 'BudgetRebalanced')!;
    expect(rebalanced.metadata.causationId).toBe(events.find((e) => e.type === 'OverspendDetected')!.id);
    await store.close();
  });

  it('moves budget manually and refuses to move more than a day has left', async () => {
    const { api } = await startTestApp();
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: {
        categories: [
          { category: 'food', amount: '300.00' },
          { category: 'fun', amount: '150.00' },
        ],
      },
    });
    const moved = await api('POST', '/api/budget/adjust', {
      token,
      body: {
        from: { date: '2025-06-20', category: 'fun' },
        to: { date: '2025-06-05', category: 'food' },
        amount: '5.00',
        reason: 'dinner',
      },
    });
    expect(moved.status).toBe(201);
    const day5 = await api('GET', `/api/budget/daily/2025-06-05?after=${moved.body.position}`, { token });
    expect(day5.body.categories.find((c: { category: string }) => c.category === 'food').allocated).toBe(
      '15.00',
    );
    const tooMuch = await api('POST', '/api/budget/adjust', {
      token,
      body: {
        from: { date: '2025-06-20', category: 'fun' },
        to: { date: '2025-06-05', category: 'food' },
        amount: '1.00',
      },
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('insufficient-allocation');
    const monthly = await api('GET', '/api/budget/monthly?month=2025-06', { token });
    expect(monthly.body.total.allocated).toBe('450.00');
  });
});

const cleanup: pg.Pool[] = [];
afterAll(async () => Promise.all(cleanup.map((p) => p.end())));

describe('plans and what-if over HTTP', () => {
  it('suggests a 50/30/20 plan for a new user, applies it on request, and shows it as current', async () => {
    const { api } = await startTestApp();
    const { token } = await registerUser(api, { income: '1000.00', timezone: 'UTC' });
    const suggested = await api('POST', '/api/plan/generate', { token, body: { month: '2025-03' } });
    expect(suggested.status).toBe(200);
    expect(suggested.body).toMatchObject({ basis: 'rule-50-30-20', savings: '200.00', applied: false });
    expect(sum(suggested.body.categories.map((c: { amount: string }) => c.amount)) + 20000).toBe(100000);
    const applied = await api('POST', '/api/plan/generate', { token, body: { apply: true } });
    expect(applied.status).toBe(201);
    const current = await api('GET', `/api/plan/current?after=${applied.body.position}`, { token });
    expect(current.body).toMatchObject({ month: applied.body.month, planned: true });
    expect(current.body.categories.map((c: { category: string }) => c.category)).toEqual(
      applied.body.categories.map((c: { category: string }) => c.category),
    );
  });

  it('replays a month under another redistribution version without writing, and finds no difference under its own', async () => {
    const { api } = await startTestApp();
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    await api('POST', '/api/transactions', {
      token,
      body: { amount: '50.00', category: 'food', date: '2025-06-03' },
    });
    await eventually(
      () => api('GET', '/api/budget/daily/2025-06-03', { token }),
      (r) => r.body.categories[0]?.allocated === '50.00',
      3000,
    );
    const own = await api('POST', '/api/budget/what-if', {
      token,
      body: { month: '2025-06', algorithm: { redistribution: 'proportional@1' } },
    });
    expect(own.status).toBe(200);
    expect(own.body.differences).toEqual([]);
    const other = await api('POST', '/api/budget/what-if', {
      token,
      body: { month: '2025-06', algorithm: { redistribution: 'nearest-first@1' } },
    });
    expect(other.body.differences.length).toBeGreaterThan(0);
    expect(sum(other.body.differences.map((d: { delta: string }) => d.delta))).toBe(0);
    const after = await api('GET', '/api/budget/daily/2025-06-04', { token });
    expect(after.body.categories[0].allocated).not.toBe(other.body.differences[0].replayed);
    const unknown = await api('POST', '/api/budget/what-if', {
      token,
      body: { month: '2025-06', algorithm: { split: 'magic@9' } },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown-algorithm');
  });
});

describe('analytics over HTTP', () => {
  it('shows the month dashboard from the analytics read model, read after the write', async () => {
    const { api } = await startTestApp();
    const { token } = await registerUser(api, { timezone: 'UTC' });
    await api('PUT', '/api/budget/plan/2025-04', {
      token,
      body: { categories: [{ category: 'food', amount: '300.00' }] },
    });
    const spent = await api('POST', '/api/transactions', {
      token,
      body: { amount: '7.50', category: 'food', date: '2025-04-02', merchant: 'Corner Shop' },
    });
    const dash = await api('GET', `/api/analytics/dashboard?month=2025-04&after=${spent.body.position}`, {
      token,
    });
    expect(dash.status).toBe(200);
    expect(dash.headers.get('daybook-caught-up')).toBe('true');
    expect(dash.body.currency).toBe('USD');
    expect(JSON.stringify(dash.body)).toContain('corner shop');
    expect(JSON.stringify(dash.body)).toContain('7.50');
  });
});
