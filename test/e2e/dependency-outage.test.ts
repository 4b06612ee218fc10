import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type ApiResponse, registerUser, startTestApp } from '../support/app.js';
import { testDatabase } from '../support/postgres.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const REDIS_URL = process.env.REDIS_URL;
// Both dependencies sit behind proxies the tests cut and restore: the server itself is never stopped.
const database = await startTcpProxy((await testDatabase({ migrate: false })).url);
const redis = REDIS_URL ? await startTcpProxy(REDIS_URL) : undefined;
afterAll(async () => {
  await database.close();
  await redis?.close();
});
// API role only: the worker's runners leave rejections unhandled when PostgreSQL goes away (the
// projection runner's drive loop); their recovery is theirs to test.
const app = await startTestApp(
  { DAYBOOK_ROLES: 'api', ...(redis ? { REDIS_URL: redis.url } : {}) },
  { databaseUrl: database.url },
);
const { api } = app;

const expectUnavailable = (res: ApiResponse, code: string) => {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(res.body).toMatchObject({ status: 503, code, type: `/problems/${code}` });
};
const expense = (id: string) => ({ id, amount: '12.50', category: 'food', date: '2025-06-03' });

describe('PostgreSQL goes away and comes back', () => {
  it('answers 503 database-unavailable with Retry-After meanwhile, then takes the same write', async () => {
    const { token } = await registerUser(api);
    const plan = await api('PUT', '/api/budget/plan/2025-06', {
      token,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    expect(plan.status).toBe(201);
    const id = randomUUID();

    await database.cut();
    try {
      expectUnavailable(
        await api('POST', '/api/transactions', { token, body: expense(id) }),
        'database-unavailable',
      );
      expectUnavailable(
        await api('GET', '/api/budget/monthly?month=2025-06', { token }),
        'database-unavailable',
      );
      const ready = await api('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.database).toMatchObject({ status: 'down', required: true });
      expect((await api('GET', '/health/live')).status).toBe(200);
      const metrics = await api('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^daybook_dependency_errors_total\{dependency="postgresql"\} [1-9]/m);
      expect(metrics.body).toContain('# TYPE daybook_defects_total counter');
    } finally {
      await database.restore();
    }

    const recorded = await vi.waitFor(
      async () => {
        const res = await api('POST', '/api/transactions', { token, body: expense(id) });
        expect(res.status).toBe(201);
        return res;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(recorded.body.id).toBe(id);
    expect((await api('GET', '/health/ready')).status).toBe(200);
  });
});

describe.runIf(REDIS_URL)('Redis goes away and comes back', () => {
  it('refuses sessions with 503 auth-store-unavailable (fails closed), then serves again', async () => {
    const { token } = await registerUser(api);
    await redis?.cut();
    try {
      expectUnavailable(await api('GET', '/api/users/preferences', { token }), 'auth-store-unavailable');
      const ready = await api('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.redis).toMatchObject({ status: 'down', required: true });
    } finally {
      await redis?.restore();
    }
    await vi.waitFor(
      async () => expect((await api('GET', '/api/users/preferences', { token })).status).toBe(200),
      { timeout: 10_000, interval: 100 },
    );
  });
});
