import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Api, registerUser, startTestApp } from '../support/app.js';

const app = await startTestApp();
const { api } = app;

const cents = (amount: string) => Math.round(Number(amount) * 100);

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() - started > 5000) throw new Error(`not reached: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const plan = (token: string, month: string, categories: unknown[], extra: Record<string, unknown> = {}) =>
  api('PUT', `/api/budget/plan/${month}`, { token, body: { categories, ...extra } });

const spend = (token: string, body: Record<string, unknown>) =>
  api('POST', '/api/transactions', { token, body });

const daily = async (token: string, date: string, after?: string) =>
  (await api('GET', `/api/budget/daily/${date}${after ? `?after=${after}` : ''}`, { token })).body;

const monthly = async (token: string, month: string, after?: string) =>
  (await api('GET', `/api/budget/monthly?month=${month}${after ? `&after=${after}` : ''}`, { token })).body;

const calendar = async (call: Api, token: string, month: string, after?: string) =>
  (await call('GET', `/api/calendar/monthly/${month}${after ? `?after=${after}` : ''}`, { token })).body
    .days as { date: string; allocated: string; spent: string }[];

const line = (day: { categories: { category: string }[] }, category: string) =>
  day.categories.find((c) => c.category === category) as
    | { allocated: string; spent: string; remaining: string }
    | undefined;

describe('the month as people live it, over HTTP', () => {
  it('accepts an expense in a month with no plan and plans the month from the previous one', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-05', [{ category: 'food', amount: '310.00' }]);
    const recorded = await spend(token, { amount: '4.00', category: 'food', date: '2025-06-03' });
    expect(recorded.status).toBe(201);
    const day = await daily(token, '2025-06-03', recorded.body.position);
    expect(day.planned).toBe(true);
    // May's 310.00 over June's 30 days: 10.33 a day, the 10 leftover cents on the first days.
    expect(line(day, 'food')).toEqual({
      category: 'food',
      allocated: '10.34',
      spent: '4.00',
      remaining: '6.34',
    });
    const month = await monthly(token, '2025-06', recorded.body.position);
    expect(month.total).toMatchObject({ planned: '310.00', allocated: '310.00', spent: '4.00' });
  });

  it('gives a new user with no history a suggested plan at the first expense', async () => {
    const { token } = await registerUser(api);
    const recorded = await spend(token, { amount: '12.00', category: 'groceries', date: '2025-06-20' });
    expect(recorded.status).toBe(201);
    const day = await daily(token, '2025-06-20', recorded.body.position);
    expect(day.planned).toBe(true);
    expect(cents(line(day, 'groceries')?.allocated ?? '0')).toBeGreaterThan(0);
    expect(line(day, 'groceries')?.spent).toBe('12.00');
  });

  it('keeps expenses unallocated with autoPlan "none", and counts them against the plan when it comes', async () => {
    const { token } = await registerUser(api);
    const prefs = await api('PUT', '/api/users/preferences', { token, body: { autoPlan: 'none' } });
    expect(prefs.body.autoPlan).toBe('none');
    const recorded = await spend(token, { amount: '50.00', category: 'food', date: '2025-06-05' });
    expect(recorded.status).toBe(201);
    const before = await daily(token, '2025-06-05', recorded.body.position);
    expect(before.planned).toBe(false);
    expect(line(before, 'food')).toMatchObject({ allocated: '0.00', spent: '50.00' });

    const planned = await plan(token, '2025-06', [{ category: 'food', amount: '300.00' }]);
    expect(planned.status).toBe(201);
    expect(planned.body.overspends).toEqual([{ day: '2025-06-05', category: 'food', overBy: '40.00' }]);
    const covered = await eventually(
      () => daily(token, '2025-06-05'),
      (d) => line(d, 'food')?.allocated === '50.00',
    );
    expect(covered.planned).toBe(true);
    const days = await calendar(api, token, '2025-06');
    expect(days.reduce((t, d) => t + cents(d.allocated), 0)).toBe(30000);
  });

  it('lets an expense in a category the plan does not name join the month, covered from other categories', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [
      { category: 'food', amount: '600.00' },
      { category: 'fun', amount: '300.00' },
    ]);
    const gift = await spend(token, { amount: '30.00', category: 'gifts', date: '2025-06-10' });
    expect(gift.status).toBe(201);
    expect(gift.body.overspentBy).toBe('30.00');
    const covered = await eventually(
      () => daily(token, '2025-06-10'),
      (d) => line(d, 'gifts')?.allocated === '30.00',
    );
    expect(line(covered, 'gifts')).toMatchObject({ spent: '30.00', remaining: '0.00' });
    const month = await monthly(token, '2025-06');
    expect(month.overdrawn).toBe('0.00');
    expect(month.categories.find((c: { category: string }) => c.category === 'gifts')).toMatchObject({
      planned: '0.00',
      allocated: '30.00',
    });
    expect(cents(month.total.allocated)).toBe(90000);
  });

  it('re-plans on the 15th: days before keep their allocations, the change is spread from the 15th', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '300.00' }]);
    await spend(token, { amount: '5.00', category: 'food', date: '2025-06-02' });
    const below = await plan(token, '2025-06', [{ category: 'food', amount: '100.00' }], {
      effectiveFrom: '2025-06-15',
    });
    expect(below.status).toBe(422);
    expect(below.body.code).toBe('plan-below-allocated');
    expect(below.body.categories).toEqual([{ category: 'food', minimum: '14000' }]);

    const raised = await plan(token, '2025-06', [{ category: 'food', amount: '600.00' }], {
      effectiveFrom: '2025-06-15',
    });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({
      effectiveFrom: '2025-06-15',
      changes: [{ category: 'food', amount: '600.00', change: '300.00' }],
      overspends: [],
    });
    const days = await calendar(api, token, '2025-06', raised.body.position);
    expect(days.slice(0, 14).every((d) => d.allocated === '10.00')).toBe(true);
    // 300.00 more over the 16 days from the 15th: 18.75 a day.
    expect(days.slice(14).every((d) => d.allocated === '28.75')).toBe(true);
    expect(days.reduce((t, d) => t + cents(d.allocated), 0)).toBe(60000);
    const month = await monthly(token, '2025-06', raised.body.position);
    expect(month.total.planned).toBe('600.00');
  });

  it('brings overdrawn back to 0 when the expense that overdrew the month is voided', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '300.00' }]);
    await spend(token, { amount: '5.00', category: 'food', date: '2025-06-01' });
    const big = await spend(token, { amount: '500.00', category: 'food', date: '2025-06-28' });
    const overdrawn = await eventually(
      () => monthly(token, '2025-06'),
      (m) => m.overdrawn !== '0.00',
    );
    expect(cents(overdrawn.overdrawn)).toBeGreaterThan(0);
    const voided = await api('DELETE', `/api/transactions/${big.body.id}`, { token });
    expect(voided.status).toBe(204);
    const after = await monthly(token, '2025-06', voided.headers.get('daybook-position') ?? undefined);
    expect(after.overdrawn).toBe('0.00');
    expect(after.total).toMatchObject({ allocated: '300.00', spent: '5.00' });
  });

  it('keeps a client transaction id one fact per user: another month answers 409 naming the month', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '300.00' }]);
    const id = randomUUID();
    const first = await spend(token, { id, amount: '5.00', category: 'food', date: '2025-06-01' });
    expect(first.status).toBe(201);
    const elsewhere = await spend(token, { id, amount: '5.00', category: 'food', date: '2025-07-01' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toMatchObject({ code: 'transaction-in-other-month', month: '2025-06' });
    const same = await spend(token, { id, amount: '5.00', category: 'food', date: '2025-06-01' });
    expect(same.status).toBe(201);
  });

  it('moves an expense to a month without a plan, which gets one; a retried move answers the same', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '300.00' }]);
    const recorded = await spend(token, { amount: '8.00', category: 'food', date: '2025-06-30' });
    const change = { date: '2025-07-01' };
    const moved = await api('PUT', `/api/transactions/${recorded.body.id}`, { token, body: change });
    expect(moved.status).toBe(200);
    const again = await api('PUT', `/api/transactions/${recorded.body.id}`, { token, body: change });
    expect(again.status).toBe(200);
    expect(again.body.date).toBe('2025-07-01');
    const july = await daily(token, '2025-07-01', again.body.position ?? moved.body.position);
    expect(july.planned).toBe(true);
    expect(line(july, 'food')).toMatchObject({ allocated: '9.68', spent: '8.00' });
    const june = await daily(token, '2025-06-30', moved.body.position);
    expect(line(june, 'food')?.spent).toBe('0.00');
  });

  it('imports a CSV of three past months without plans, every row', async () => {
    const { token } = await registerUser(api, { currency: 'EUR', income: '2000.00' });
    const csv = [
      'date,amount,merchant',
      '2025-03-03,12.50,Rewe',
      '2025-03-20,7.10,Kiosk',
      '2025-04-02,30.00,Shell',
      '2025-04-28,3.05,Bakery',
      '2025-05-15,99.99,Ikea',
      '2025-05-31,1.00,Kiosk',
    ].join('\n');
    const form = new FormData();
    form.append(
      'mapping',
      JSON.stringify({ date: 'date', amount: 'amount', merchant: 'merchant', defaultCategory: 'shopping' }),
    );
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'history.csv');
    const response = await fetch(`${app.url}/api/transactions/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const body = (await response.json()) as { progress: unknown; position: string };
    expect(response.status).toBe(200);
    expect(body.progress).toMatchObject({ rows: 6, imported: 6, rejected: 0 });
    for (const month of ['2025-03', '2025-04', '2025-05']) {
      const m = await monthly(token, month, body.position);
      expect(m.planned).toBe(true);
    }
    expect((await monthly(token, '2025-05', body.position)).total.spent).toBe('100.99');
  });
});
