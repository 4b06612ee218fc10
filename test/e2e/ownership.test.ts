import { describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';

const app = await startTestApp();
const { api } = app;

describe('ownership', () => {
  it('answers user B 404 (or a refusal that names nothing) for every one of user A’s resources, and leaks nothing', async () => {
    const a = await registerUser(api);
    const b = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-06', {
      token: a.token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    const spent = await api('POST', '/api/transactions', {
      token: a.token,
      body: { amount: '25.00', category: 'food', date: '2025-06-01', merchant: 'Secret Shop' },
    });
    const txId = spent.body.id as string;
    const rows = Array.from(
      { length: 201 },
      (_, i) => `2025-06-${String((i % 28) + 1).padStart(2, '0')},1.00,Shop ${i}`,
    );
    const upload = await fetch(
      `${app.url}/api/transactions/import?mapping=${encodeURIComponent(JSON.stringify({ date: 'Date', amount: 'Amount', merchant: 'Payee', defaultCategory: 'food' }))}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'text/csv' },
        body: `Date,Amount,Payee\n${rows.join('\n')}\n`,
      },
    );
    expect(upload.status).toBe(202);
    const taskPath = upload.headers.get('location') as string;
    const after = spent.body.position as string;

    const notFound: [string, string, unknown?][] = [
      ['GET', `/api/transactions/${txId}?after=${after}`],
      ['PUT', `/api/transactions/${txId}`, { amount: '1.00' }],
      ['DELETE', `/api/transactions/${txId}`],
      ['GET', taskPath],
    ];
    for (const [method, path, body] of notFound) {
      const res = await api(method, path, { token: b.token, ...(body ? { body } : {}) });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.stringify(res.body)).not.toContain('Secret Shop');
    }

    // Queries are scoped by the token: B sees only B's (empty) world.
    const list = await api('GET', `/api/transactions?after=${after}`, { token: b.token });
    expect(list.body.items).toEqual([]);
    const csv = await api('GET', '/api/transactions/export', { token: b.token });
    expect(String(csv.body).trim().split('\r\n')).toHaveLength(1);
    const daily = await api('GET', `/api/budget/daily/2025-06-01?after=${after}`, { token: b.token });
    expect(daily.body).toMatchObject({ planned: false, categories: [] });
    const monthly = await api('GET', '/api/budget/monthly?month=2025-06', { token: b.token });
    expect(monthly.body.planned).toBe(false);
    const whatIf = await api('POST', '/api/budget/what-if', {
      token: b.token,
      body: { month: '2025-06', algorithm: {} },
    });
    expect(whatIf.status).toBe(409);
    const auditOther = await api('GET', `/api/audit/events?userId=${a.userId}`, { token: b.token });
    expect(auditOther.status).toBe(403);
    expect(JSON.stringify(auditOther.body)).not.toContain('Secret Shop');
    const ownAudit = await api('GET', '/api/audit/events', { token: b.token });
    expect(JSON.stringify(ownAudit.body)).not.toContain(a.userId);
    const verifyOther = await api('GET', `/api/audit/verify?userId=${a.userId}`, { token: b.token });
    expect(verifyOther.status).toBe(403);

    // A's transaction is untouched by B's attempts.
    const mine = await api('GET', `/api/transactions/${txId}`, { token: a.token });
    expect(mine.body).toMatchObject({
      id: txId,
      amount: '25.00',
      status: 'recorded',
      merchant: 'Secret Shop',
    });
  });
});
