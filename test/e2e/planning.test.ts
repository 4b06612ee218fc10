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
