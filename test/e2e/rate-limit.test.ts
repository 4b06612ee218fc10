import { describe, expect, it } from 'vitest';
import { registerUser, startTestApp } from '../support/app.js';

const { api } = await startTestApp({ RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000', RATE_LIMIT_PER_MINUTE: '5' });

describe('rate limits', () => {
  it('answers 429 problem+json with Retry-After once a user spends the minute’s quota', async () => {
    const { token } = await registerUser(api);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await api('GET', '/api/users/me', { token });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last?.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.body.code).toBe('rate-limited');
    // Another user has a quota of their own.
    const other = await registerUser(api);
    expect((await api('GET', '/api/users/me', { token: other.token })).status).toBe(200);
  });
});
