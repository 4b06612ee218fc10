import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';

const { api } = await startTestApp();

/** Today in the test users' time zone (registerUser's default). */
const today = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

describe('recurring expenses over HTTP', () => {
  it('records what is due today once, however often it is sent, and stops when removed', async () => {
    const { token } = await registerUser(api);
    const id = randomUUID();
    const body = { id, name: 'Rent', amount: '900.00', category: 'rent' };
    const added = await api('POST', '/api/expense/recurring', { token, body });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      id,
      name: 'Rent',
      amount: '900.00',
      frequency: 'monthly',
      startDate: today(),
    });
    expect(added.body.recorded).toEqual([{ transactionId: expect.any(String), date: today() }]);
    const again = await api('POST', '/api/expense/recurring', { token, body });
    expect(again.status).toBe(201);
    expect(again.body.recorded).toEqual([]);

    const transaction = await api('GET', `/api/transactions/${added.body.recorded[0].transactionId}`, {
      token,
    });
    expect(transaction.body).toMatchObject({ amount: '900.00', merchant: 'Rent', source: 'recurring' });
    const listed = await api('GET', `/api/transactions?category=rent&from=${today()}&to=${today()}`, {
      token,
    });
    expect(listed.body.items).toHaveLength(1);

    const changed = await api('PUT', `/api/expense/recurring/${id}`, { token, body: { amount: '950.00' } });
    expect(changed.status).toBe(200);
    expect(changed.body.amount).toBe('950.00');
    expect((await api('GET', '/api/expense/recurring', { token })).body.recurring).toHaveLength(1);
    expect((await api('DELETE', `/api/expense/recurring/${id}`, { token })).status).toBe(204);
    expect((await api('GET', '/api/expense/recurring', { token })).body.recurring).toEqual([]);
    expect(
      (await api('PUT', `/api/expense/recurring/${id}`, { token, body: { amount: '1.00' } })).status,
    ).toBe(404);
    const other = await registerUser(api);
    expect((await api('DELETE', `/api/expense/recurring/${id}`, { token: other.token })).status).toBe(404);
  });

  it('plans what falls due in a month as fixed allocations on their due days', async () => {
    const { token } = await registerUser(api);
    const recurring = [
      { name: 'Rent', amount: '1500.00', category: 'housing', startDate: '2030-01-03' },
      { name: 'Gym', amount: '10.00', category: 'gym', frequency: 'weekly', startDate: '2030-01-07' },
    ];
    for (const entry of recurring) {
      const added = await api('POST', '/api/expense/recurring', {
        token,
        body: { id: randomUUID(), ...entry },
      });
      expect(added.status).toBe(201);
    }
    const plan = await api('POST', '/api/plan/generate', { token, body: { month: '2030-03' } });
    expect(plan.status).toBe(200);
    const byCategory = Object.fromEntries(
      plan.body.categories.map((c: { category: string }) => [c.category, c]),
    );
    expect(byCategory.housing).toMatchObject({ amount: '1500.00', kind: 'fixed', dueDay: 3 });
    // Mondays of March 2030: the 4th, 11th, 18th and 25th.
    expect(byCategory.gym).toMatchObject({ amount: '40.00', kind: 'fixed', dueDay: 4 });
    const planned = plan.body.categories.reduce(
      (s: number, c: { amount: string }) => s + Math.round(Number(c.amount) * 100),
      0,
    );
    expect(planned + Math.round(Number(plan.body.savings) * 100)).toBe(300_000);
    const saved = await api('PUT', '/api/budget/plan/2030-03', {
      token,
      body: { categories: plan.body.categories },
    });
    expect(saved.status).toBe(201);
  });

  it('suggests likely subscriptions from the history', async () => {
    const { token } = await registerUser(api);
    const month = (offset: number) => {
      const d = new Date();
      d.setUTCDate(5);
      d.setUTCMonth(d.getUTCMonth() - offset);
      return d.toISOString().slice(0, 10);
    };
    for (const offset of [3, 2, 1]) {
      const paid = await api('POST', '/api/transactions', {
        token,
        body: { amount: '15.99', category: 'fun', date: month(offset), merchant: 'Streamflix' },
      });
      expect(paid.status).toBe(201);
    }
    const list = await api('GET', '/api/expense/recurring', { token });
    expect(list.body.suggestions).toEqual([
      {
        name: 'Streamflix',
        amount: '15.99',
        category: 'fun',
        frequency: 'monthly',
        occurrences: 3,
        lastDate: month(1),
      },
    ]);
  });
});

describe('budget optimizer and health score over HTTP', () => {
  it('recommends more savings for a goal with a date, and scores the month with its components', async () => {
    const { token } = await registerUser(api);
    const plain = await api('POST', '/api/budget/recommend', { token, body: {} });
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({
      income: '3000.00',
      needs: '1500.00',
      wants: '900.00',
      savings: '600.00',
    });

    // About a year away: (12000.00 - 100.00) / 12 months = 991.67 a month, more than 20 % of the income.
    const inAYear = `${Number(today().slice(0, 4)) + 1}${today().slice(4, 8)}28`;
    const goal = await api('POST', '/api/goals', {
      token,
      body: { name: 'House', target: '12000.00', targetDate: inAYear },
    });
    await api('POST', `/api/goals/${goal.body.id}/contribute`, { token, body: { amount: '100.00' } });
    const adjusted = await api('POST', '/api/budget/recommend', { token, body: {} });
    expect(adjusted.body.adjustments).toContain('savings-for-goals');
    expect(adjusted.body.needed.goals).toBe(today().slice(8) > '28' ? '1081.82' : '991.67');
    expect(adjusted.body.savings).toBe(adjusted.body.needed.goals);
    const sum = ['needs', 'wants', 'savings'].reduce(
      (s, k) => s + Math.round(Number(adjusted.body[k]) * 100),
      0,
    );
    expect(sum).toBe(300000);

    const health = await api('GET', '/api/financial/health-score', { token });
    expect(health.status).toBe(200);
    expect(health.body.current.month).toBe(today().slice(0, 7));
    expect(health.body.current.components.map((c: { name: string }) => c.name)).toEqual([
      'savings-rate',
      'spending-consistency',
      'emergency-fund',
      'goal-progress',
    ]);
    expect(health.body.current.score).toBeGreaterThanOrEqual(0);
    expect(health.body.current.score).toBeLessThanOrEqual(100);
    expect(health.body.history[0]).toEqual(health.body.current);
  });
});

describe('habits and mood over HTTP', () => {
  it('checks a habit in once a day and counts its streak', async () => {
    const { token } = await registerUser(api);
    const habit = await api('POST', '/api/habits', { token, body: { name: 'No takeaway' } });
    expect(habit.status).toBe(201);
    const first = await api('POST', `/api/habits/${habit.body.id}/check-in`, { token, body: {} });
    const again = await api('POST', `/api/habits/${habit.body.id}/check-in`, { token, body: {} });
    expect(first.body).toMatchObject({ checkIns: 1, checkedInToday: true, streak: 1 });
    expect(again.body.checkIns).toBe(1);
    expect((await api('GET', '/api/habits', { token })).body.habits).toHaveLength(1);
    const missing = await api('POST', `/api/habits/${randomUUID()}/check-in`, { token, body: {} });
    expect(missing.status).toBe(404);
    const ahead = await api('POST', `/api/habits/${habit.body.id}/check-in`, {
      token,
      body: { date: '2099-01-01' },
    });
    expect(ahead.body).toMatchObject({ status: 400, code: 'invalid-date' });
    const mood = await api('POST', '/api/mood', { token, body: { mood: 3, date: '2099-01-01' } });
    expect(mood.body).toMatchObject({ status: 400, code: 'invalid-date' });
  });

  it('claims nothing on too little data, and finds a relation on enough days', async () => {
    const { token } = await registerUser(api);
    const daysAgo = (n: number) => {
      const d = new Date(`${today()}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() - n);
      return d.toISOString().slice(0, 10);
    };
    for (let i = 1; i <= 14; i++) {
      const mood = (i % 5) + 1;
      expect((await api('POST', '/api/mood', { token, body: { mood, date: daysAgo(i) } })).status).toBe(201);
      await api('POST', '/api/transactions', {
        token,
        body: { amount: `${mood * 10}.00`, category: 'fun', date: daysAgo(i) },
      });
      if (i === 3) {
        const early = await api('GET', '/api/mood/analysis', { token });
        expect(early.body).toEqual(expect.objectContaining({ sampleSize: 3, finding: 'not-enough-data' }));
        expect(early.body.correlation).toBeUndefined();
      }
    }
    const analysis = await api('GET', '/api/mood/analysis', { token });
    expect(analysis.body).toMatchObject({
      sampleSize: 14,
      correlation: 1,
      finding: 'spends-more-in-better-moods',
    });
  });
});
