import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';

const { api } = await startTestApp();

describe('walking skeleton over HTTP', () => {
  it('register → login → plan → record → daily', async () => {
    const health = await api('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      checks: { eventStore: { status: 'ok' }, database: { status: 'ok' } },
    });

    const email = `walker-${randomUUID()}@example.com`;
    const registered = await api('POST', '/api/auth/register', {
      body: {
        email,
        password: 'correct horse battery',
        income: '3000.00',
        currency: 'USD',
        country: 'US',
        timezone: 'America/New_York',
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.user).toMatchObject({
      email,
      income: '3000.00',
      currency: 'USD',
      timezone: 'America/New_York',
    });
    expect(registered.body.user.id).toMatch(/^[0-9a-f-]{36}$/);

    const login = await api('POST', '/api/auth/login', {
      body: { email: email.toUpperCase(), password: 'correct horse battery' },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const token = login.body.accessToken;

    const plan = await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: {
        categories: [
          { category: 'food', amount: '600.00' },
          { category: 'rent', amount: '1200.00', kind: 'fixed', dueDay: 1 },
        ],
      },
    });
    expect(plan.status).toBe(201);
    expect(plan.headers.get('etag')).toBe('"0"');
    expect(plan.body.categories).toEqual([
      { category: 'food', amount: '600.00', kind: 'flexible' },
      { category: 'rent', amount: '1200.00', kind: 'fixed', dueDay: 1 },
    ]);

    const expense = await api('POST', '/api/transactions', {
      token,
      body: { amount: '12.50', category: 'food', date: '2025-06-03', merchant: 'Bakery' },
    });
    expect(expense.status).toBe(201);
    expect(expense.body).toMatchObject({
      amount: '12.50',
      currency: 'USD',
      category: 'food',
      date: '2025-06-03',
      merchant: 'Bakery',
    });
    expect(expense.body.overspentBy).toBeUndefined();

    const daily = await api('GET', `/api/budget/daily/2025-06-03?after=${expense.body.position}`, { token });
    expect(daily.status).toBe(200);
    expect(daily.headers.get('daybook-caught-up')).toBe('true');
    expect(daily.body).toEqual({
      date: '2025-06-03',
      currency: 'USD',
      planned: true,
      categories: [
        { category: 'food', allocated: '20.00', spent: '12.50', remaining: '7.50' },
        { category: 'rent', allocated: '0.00', spent: '0.00', remaining: '0.00' },
      ],
      total: { allocated: '20.00', spent: '12.50', remaining: '7.50' },
    });
    const rentDay = await api('GET', '/api/budget/daily/2025-06-01', { token });
    expect(rentDay.body.total).toEqual({ allocated: '1220.00', spent: '0.00', remaining: '1220.00' });
  });

  it('reports an overspend in the response that caused it', async () => {
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    const res = await api('POST', '/api/transactions', {
      token,
      body: { amount: '25.00', category: 'food', date: '2025-06-01' },
    });
    expect(res.status).toBe(201);
    expect(res.body.overspentBy).toBe('5.00');
  });

  it('treats a client transaction id as the idempotency key, naming fields that differ on reuse', async () => {
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-07', {
      token,
      body: { categories: [{ category: 'food', amount: '310.00' }] },
    });
    const id = randomUUID();
    const body = { id, amount: '4.00', category: 'food', date: '2025-07-02' };
    const first = await api('POST', '/api/transactions', { token, body });
    const again = await api('POST', '/api/transactions', { token, body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(id);
    const daily = await api('GET', '/api/budget/daily/2025-07-02', {
      token,
      headers: { 'daybook-after': first.body.position },
    });
    expect(daily.body.total.spent).toBe('4.00');

    const changed = await api('POST', '/api/transactions', {
      token,
      body: { ...body, amount: '5.00', merchant: 'X' },
    });
    expect(changed.status).toBe(409);
    expect(changed.headers.get('content-type')).toContain('application/problem+json');
    expect(changed.body).toMatchObject({
      type: '/problems/transaction-id-conflict',
      fields: ['amount', 'merchant'],
    });
  });

  it('answers bad input with problem+json, never 500', async () => {
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2024-02', {
      token,
      body: { categories: [{ category: 'food', amount: '290.00' }] },
    });
    const cases: [string, string, unknown, number, string][] = [
      [
        'POST',
        '/api/transactions',
        { amount: '1.234', category: 'food', date: '2024-02-03' },
        400,
        'invalid-money',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: '1e3', category: 'food', date: '2024-02-03' },
        400,
        'validation-failed',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: 12.5, category: 'food', date: '2024-02-03' },
        400,
        'validation-failed',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: 'NaN', category: 'food', date: '2024-02-03' },
        400,
        'validation-failed',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: '-1.00', category: 'food', date: '2024-02-03' },
        422,
        'invalid-amount',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: '0', category: 'food', date: '2024-02-03' },
        422,
        'invalid-amount',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: '1.00', category: 'food', date: '2024-02-30' },
        400,
        'invalid-date',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: '1.00', category: 'Cars!', date: '2024-02-03' },
        400,
        'invalid-category',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: '1.00', category: 'food', date: '2024-02-03', merchant: 'a\u0000b' },
        400,
        'validation-failed',
      ],
      ['POST', '/api/transactions', '{"amount": ', 400, 'malformed-json'],
      [
        'POST',
        '/api/auth/register',
        {
          email: 'xxx@example.com',
          password: 'correct horse battery',
          income: '3000.00',
          currency: 'XXX',
          country: 'US',
          timezone: 'UTC',
        },
        400,
        'unsupported-currency',
      ],
      [
        'POST',
        '/api/transactions',
        { amount: '1.00', category: 'food', date: '2024-02-03', extra: 1 },
        400,
        'validation-failed',
      ],
      [
        'PUT',
        '/api/budget/plan/2024-13',
        { categories: [{ category: 'food', amount: '1.00' }] },
        400,
        'invalid-month',
      ],
      [
        'PUT',
        '/api/budget/plan/2024-04',
        { categories: [{ category: 'food', amount: '9999.00' }] },
        422,
        'plan-exceeds-income',
      ],
      [
        'PUT',
        '/api/budget/plan/2024-04',
        { categories: [{ category: 'rent', amount: '9.00', kind: 'fixed' }] },
        422,
        'invalid-plan',
      ],
      [
        'PUT',
        '/api/budget/plan/2024-04',
        { categories: [{ category: 'Food!', amount: '9.00' }] },
        400,
        'invalid-category',
      ],
      ['GET', '/api/budget/daily/2024-02-31', undefined, 400, 'invalid-date'],
      ['GET', '/api/budget/daily/yesterday', undefined, 400, 'validation-failed'],
      ['GET', '/api/nothing-here', undefined, 404, 'not-found'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await api(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect({ path, body, status: res.status, code: res.body.code }).toEqual({ path, body, status, code });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const huge = await api('POST', '/api/transactions', { token, body: { note: 'x'.repeat(1_000_000) } });
    expect(huge.status).toBe(413);
  });

  it('rejects missing, tampered and alg:none tokens with 401', async () => {
    const { token } = await registerUser(api);
    const [header, payload] = token.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: randomUUID(), typ: 'access', scope: 'admin' })).toString('base64url')}.${token.split('.')[2]}`;
    for (const bad of [undefined, 'garbage', none, tampered]) {
      const res = await api('GET', '/api/budget/daily/2025-01-01', bad ? { token: bad } : {});
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('refuses a second account for the same email and a wrong password', async () => {
    const { email } = await registerUser(api);
    const again = await api('POST', '/api/auth/register', {
      body: {
        email,
        password: 'another password',
        income: '1.00',
        currency: 'USD',
        country: 'US',
        timezone: 'UTC',
      },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('email-taken');
    const wrong = await api('POST', '/api/auth/login', { body: { email, password: 'not the password' } });
    expect(wrong.status).toBe(401);
    const unknown = await api('POST', '/api/auth/login', {
      body: { email: 'nobody@example.com', password: 'whatever1' },
    });
    expect(unknown.status).toBe(401);
  });

  it('plans with If-Match: a stale version is 412, an identical plan changes nothing', async () => {
    const { token } = await registerUser(api);
    const body = { categories: [{ category: 'food', amount: '100.00' }] };
    const first = await api('PUT', '/api/budget/plan/2025-09', { token, body });
    expect(first.status).toBe(201);
    const same = await api('PUT', '/api/budget/plan/2025-09', { token, body });
    expect(same.status).toBe(200);
    expect(same.headers.get('etag')).toBe('"0"');
    const changed = await api('PUT', '/api/budget/plan/2025-09', {
      token,
      headers: { 'if-match': '"0"' },
      body: { categories: [{ category: 'food', amount: '200.00' }] },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"1"');
    const stale = await api('PUT', '/api/budget/plan/2025-09', {
      token,
      headers: { 'if-match': '"0"' },
      body,
    });
    expect(stale.status).toBe(412);
  });
});

describe('operations endpoints', () => {
  it('serves Prometheus metrics with route-level latency and projection lag, and health with projections', async () => {
    await api('GET', '/health');
    const metrics = await api('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('daybook_http_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/route="\/health"/);
    expect(metrics.body).toMatch(/daybook_projection_lag_events\{projection="daily-allocation"/);
    const health = await api('GET', '/health');
    expect(health.body.checks.projections.status).toBe('ok');
  });
});

describe('transactions read model over HTTP', () => {
  it('lists with filters and cursor pages, exports CSV, and hides other users’ transactions', async () => {
    const { token } = await registerUser(api);
    await api('PUT', '/api/budget/plan/2025-05', {
      token,
      body: {
        categories: [
          { category: 'food', amount: '310.00' },
          { category: 'fun', amount: '100.00' },
        ],
      },
    });
    let position = '';
    for (const [i, merchant] of ['Bakery', 'Cinema', '=cmd|calc', 'Bakery'].entries()) {
      const res = await api('POST', '/api/transactions', {
        token,
        body: {
          amount: `${i + 1}.00`,
          category: merchant === 'Cinema' ? 'fun' : 'food',
          date: `2025-05-0${i + 1}`,
          merchant,
        },
      });
      position = res.body.position;
    }
    const page1 = await api('GET', `/api/transactions?limit=2&after=${position}`, { token });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((t: { date: string }) => t.date)).toEqual(['2025-05-04', '2025-05-03']);
    const page2 = await api('GET', `/api/transactions?limit=2&cursor=${page1.body.nextCursor}`, { token });
    expect(page2.body.items.map((t: { date: string }) => t.date)).toEqual(['2025-05-02', '2025-05-01']);
    expect(page2.body.nextCursor).toBeUndefined();
    const bakery = await api('GET', '/api/transactions?merchant=bak&category=food', { token });
    expect(bakery.body.items.map((t: { amount: string }) => t.amount)).toEqual(['4.00', '1.00']);

    const csv = await api('GET', '/api/transactions/export?from=2025-05-02', { token });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe('id,date,category,amount,currency,merchant,description,status,recorded_at');
    expect(lines).toHaveLength(4);
    expect(String(csv.body)).toContain("'=cmd|calc");

    const other = await registerUser(api);
    const theirs = await api('GET', '/api/transactions', { token: other.token });
    expect(theirs.body.items).toEqual([]);
    const stolen = await api('GET', `/api/transactions/${page1.body.items[0].id}`, { token: other.token });
    expect(stolen.status).toBe(404);
    const bad = await api('GET', '/api/transactions?cursor=not-a-cursor&limit=5000', { token });
    expect(bad.status).toBe(400);
  });
});
