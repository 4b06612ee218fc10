import { expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';

const ORIGIN = 'https://app.example.com';
const app = await startTestApp({ CORS_ORIGINS: ORIGIN });

it('no cache keeps personal data: every /api answer says private, no-store (stricter no-store where a route says so)', async () => {
  const { token } = await registerUser(app.api);
  const personal = [
    '/api/budget/monthly?month=2025-06',
    '/api/calendar/monthly/2025-06',
    '/api/plan/current',
    '/api/analytics/dashboard?month=2025-06',
    '/api/transactions',
    '/api/users/me',
    '/api/users/preferences',
  ];
  for (const path of personal) {
    const res = await app.api('GET', path, { token });
    expect(res.status, path).toBeLessThan(500);
    expect(res.headers.get('cache-control'), path).toBe('private, no-store');
  }
  // The audit trail and tokens already say `no-store`, which no cache may weaken.
  expect((await app.api('GET', '/api/audit/events', { token })).headers.get('cache-control')).toMatch(
    /no-store/,
  );
  // Problems too: a refusal says nothing a cache should keep.
  const refused = await app.api('GET', '/api/transactions');
  expect(refused.status).toBe(401);
  expect(refused.headers.get('cache-control')).toBe('private, no-store');
});

it('a browser on an allowed origin can read the headers clients need', async () => {
  const { token } = await registerUser(app.api);
  const res = await app.api('GET', '/api/transactions', { token, headers: { origin: ORIGIN } });
  expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',');
  for (const header of [
    'daybook-position',
    'daybook-caught-up',
    'etag',
    'idempotent-replayed',
    'retry-after',
    'ratelimit-limit',
    'ratelimit-remaining',
    'ratelimit-reset',
    'location',
    'x-request-id',
  ])
    expect(exposed, header).toContain(header);
});

it('public endpoints are not marked personal', async () => {
  const res = await app.api('GET', '/health/live');
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBeNull();
});
