import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { registerUser, startTestApp } from '../support/app.js';

const app = await startTestApp();
const { api } = app;
const pool = new pg.Pool({ connectionString: app.databaseUrl, max: 2 });
const store = new PostgresEventStore(pool);
afterAll(async () => {
  await store.close();
  await pool.end();
});

/** Polls `read` until `done` holds, at most ~10 s: reactions run in the background. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** A user with June 2025 planned: food 600.00 and savings 300.00 (10.00 a day). */
async function plannedUser() {
  const user = await registerUser(api);
  const plan = await api('PUT', '/api/budget/plan/2025-06', {
    token: user.token,
    body: {
      categories: [
        { category: 'food', amount: '600.00' },
        { category: 'savings', amount: '300.00' },
      ],
    },
  });
  expect(plan.status).toBe(201);
  return user;
}

describe('savings goals over HTTP', () => {
  it('a contribution moves the goal and the month together, once per contribution id', async () => {
    const { token } = await plannedUser();
    const created = await api('POST', '/api/goals', {
      token,
      body: { name: 'New bike', target: '100.00', targetDate: '2025-12-31' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'New bike', saved: '0.00', progress: 0, status: 'active' });
    const goalId = created.body.id;

    const contributionId = randomUUID();
    const body = { id: contributionId, amount: '30.00', date: '2025-06-05' };
    const first = await api('POST', `/api/goals/${goalId}/contribute`, { token, body });
    expect(first.status).toBe(201);
    expect(first.body.goal).toMatchObject({ saved: '30.00', remaining: '70.00', progress: 30 });
    expect(first.body.goal.milestones.map((m: { percent: number }) => m.percent)).toEqual([25]);
    expect(first.body.contribution).toMatchObject({
      amount: '30.00',
      category: 'savings',
      overspentBy: '20.00',
    });
    const again = await api('POST', `/api/goals/${goalId}/contribute`, { token, body });
    expect(again.status).toBe(201);
    expect(again.body.goal.saved).toBe('30.00');
    const changed = await api('POST', `/api/goals/${goalId}/contribute`, {
      token,
      body: { ...body, amount: '31.00' },
    });
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('contribution-id-conflict');

    // Read your writes: the list, the day and the month all show it at once.
    const goals = await api('GET', '/api/goals', { token });
    expect(goals.body.goals).toEqual([expect.objectContaining({ id: goalId, saved: '30.00', progress: 30 })]);
    const day = await api('GET', '/api/budget/daily/2025-06-05', { token });
    expect(day.headers.get('daybook-caught-up')).toBe('true');
    expect(day.body.categories).toContainEqual(
      expect.objectContaining({ category: 'savings', spent: '30.00' }),
    );
    // Conservation: the month's allocations still add up to its plan; the contribution is spent, once.
    const month = await eventually(
      () => api('GET', '/api/budget/monthly?month=2025-06', { token }),
      (r) =>
        r.body.categories.find((c: { category: string }) => c.category === 'savings').allocated === '300.00',
    );
    expect(month.body.total).toMatchObject({ planned: '900.00', allocated: '900.00', spent: '30.00' });
    const transaction = await api('GET', `/api/transactions/${first.body.contribution.transactionId}`, {
      token,
    });
    expect(transaction.status).toBe(200);
    expect(transaction.body).toMatchObject({ amount: '30.00', category: 'savings', source: 'goal' });

    // The rest reaches the target: achieved, every milestone once.
    const rest = await api('POST', `/api/goals/${goalId}/contribute`, {
      token,
      body: { amount: '70.00', date: '2025-06-20', category: 'food' },
    });
    expect(rest.body.goal).toMatchObject({ status: 'achieved', saved: '100.00', progress: 100 });
    expect(rest.body.goal.milestones.map((m: { percent: number }) => m.percent)).toEqual([25, 50, 75, 100]);
    const after = await api('GET', '/api/budget/monthly?month=2025-06', { token });
    expect(after.body.total).toMatchObject({ allocated: '900.00', spent: '100.00' });
  });

  it('updates, withdraws and abandons; the goal never holds more than was contributed', async () => {
    const { token } = await plannedUser();
    const id = randomUUID();
    const created = await api('POST', '/api/goals', { token, body: { id, name: 'Trip', target: '500.00' } });
    expect(created.status).toBe(201);
    const retried = await api('POST', '/api/goals', { token, body: { id, name: 'Trip', target: '500.00' } });
    expect(retried.status).toBe(201);
    await api('POST', `/api/goals/${id}/contribute`, {
      token,
      body: { amount: '50.00', date: '2025-06-02' },
    });
    const tooMuch = await api('POST', `/api/goals/${id}/withdraw`, { token, body: { amount: '50.01' } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('insufficient-savings');
    const withdrawn = await api('POST', `/api/goals/${id}/withdraw`, { token, body: { amount: '20.00' } });
    expect(withdrawn.body).toMatchObject({ saved: '30.00', contributed: '50.00', withdrawn: '20.00' });
    const updated = await api('PUT', `/api/goals/${id}`, {
      token,
      body: { target: '40.00', targetDate: null },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ target: '40.00', progress: 75 });
    const abandoned = await api('PUT', `/api/goals/${id}`, { token, body: { status: 'abandoned' } });
    expect(abandoned.body.status).toBe('abandoned');
    const closed = await api('POST', `/api/goals/${id}/contribute`, { token, body: { amount: '1.00' } });
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe('goal-closed');
    const invalid = await api('POST', '/api/goals', { token, body: { name: 'X', target: '0.00' } });
    expect(invalid.status).toBe(422);
  });

  it("another user's goal is not found", async () => {
    const owner = await plannedUser();
    const other = await plannedUser();
    const created = await api('POST', '/api/goals', {
      token: owner.token,
      body: { name: 'Car', target: '10.00' },
    });
    const id = created.body.id;
    expect((await api('GET', '/api/goals', { token: other.token })).body.goals).toEqual([]);
    const contribute = await api('POST', `/api/goals/${id}/contribute`, {
      token: other.token,
      body: { amount: '1.00' },
    });
    expect(contribute.status).toBe(404);
    expect(
      (await api('PUT', `/api/goals/${id}`, { token: other.token, body: { name: 'Mine' } })).status,
    ).toBe(404);
  });

  it('a contribution whose request died before its month was written is finished by the reaction', async () => {
    const { token, userId } = await plannedUser();
    const created = await api('POST', '/api/goals', { token, body: { name: 'Rainy day', target: '200.00' } });
    const goalId = created.body.id;
    // What a request that died between the two streams leaves: the goal's fact alone.
    const transactionId = randomUUID();
    const eventId = randomUUID();
    await store.append(
      `goal-${goalId}`,
      [
        {
          id: eventId,
          type: 'GoalContributed',
          data: {
            contributionId: 'crashed',
            amount: '4000',
            day: '2025-06-10',
            category: 'savings',
            transactionId,
            contributedAt: new Date().toISOString(),
          },
          metadata: {
            correlationId: 'crash',
            actor: userId,
            occurredAt: new Date().toISOString(),
            schemaVersion: 1,
          },
        },
      ],
      0n,
    );
    const transaction = await eventually(
      () => api('GET', `/api/transactions/${transactionId}`, { token }),
      (r) => r.status === 200,
    );
    expect(transaction.body).toMatchObject({ amount: '40.00', date: '2025-06-10', source: 'goal' });
    // Linked: the month's expense was caused by the goal's fact.
    const month = await store.readStream(`budget-${userId}-2025-06`);
    const recorded = month.find(
      (e) => e.type === 'ExpenseRecorded' && e.data.transactionId === transactionId,
    );
    expect(recorded?.metadata.causationId).toBe(eventId);
    const goals = await api('GET', '/api/goals', { token });
    expect(goals.body.goals[0]).toMatchObject({ saved: '40.00', progress: 20 });
  });
});

describe('goal planner over HTTP', () => {
  it('answers anyone in the currency they name', async () => {
    const timeline = await api('POST', '/api/goals/calculate-timeline', {
      body: {
        target: '1000.00',
        current: '100.00',
        monthly: '200.00',
        currency: 'EUR',
        startDate: '2025-01-31',
      },
    });
    expect(timeline.status).toBe(200);
    expect(timeline.body).toMatchObject({
      currency: 'EUR',
      start: '2025-01-31',
      monthsNeeded: 5,
      targetDate: '2025-06-30',
      feasibility: 'unknown',
    });
    expect(timeline.body.milestones[0]).toEqual({
      percent: 25,
      amount: '250.00',
      month: 1,
      date: '2025-02-28',
    });
    const noCurrency = await api('POST', '/api/goals/calculate-timeline', {
      body: { target: '1000.00', monthly: '1.00' },
    });
    expect(noCurrency.status).toBe(422);
    expect(noCurrency.body.code).toBe('invalid-goal-plan');
  });

  it("plans with the user's own income and spending, and the two plans agree", async () => {
    const { token } = await plannedUser();
    await api('POST', '/api/transactions', {
      token,
      body: { amount: '100.00', category: 'food', date: '2025-06-03' },
    });
    const reverse = await api('POST', '/api/goals/reverse-plan', {
      token,
      body: { target: '1200.00', targetDate: '2025-12-31', startDate: '2025-07-10' },
    });
    expect(reverse.status).toBe(200);
    expect(reverse.body).toMatchObject({
      currency: 'USD',
      capacity: { monthly: '2900.00', basis: 'history', months: 1 },
      months: 5,
      requiredMonthly: '240.00',
      feasibility: 'comfortable',
    });
    const timeline = await api('POST', '/api/goals/calculate-timeline', {
      token,
      body: { target: '1200.00', monthly: reverse.body.requiredMonthly, startDate: '2025-07-10' },
    });
    expect(timeline.body).toMatchObject({ monthsNeeded: 5, targetDate: '2025-12-10' });
  });
});
