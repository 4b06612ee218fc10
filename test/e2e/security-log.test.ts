import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { securityCodec } from '../../src/application/events/security.codec.js';
import type { EventStore } from '../../src/application/ports/event-store.port.js';
import type { PasswordHasher } from '../../src/application/ports/password-hasher.port.js';
import { ipNetwork, securityLog } from '../../src/application/security/security-log.js';
import { login } from '../../src/application/users/login.js';
import { sessions } from '../../src/application/users/sessions.js';
import { JwtTokenService } from '../../src/infrastructure/auth/jwt-token-service.js';
import { MemoryTokenStore } from '../../src/infrastructure/auth/memory-token-store.js';
import { RateLimiterLoginThrottle } from '../../src/infrastructure/auth/rate-limiter-login-throttle.js';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory-event-store.js';
import { randomIds, systemClock } from '../../src/infrastructure/system/system-clock.js';
import { registerUser, startTestApp } from '../support/app.js';
import { until } from '../support/settled.js';

// Two failures per account, then 429; the client address comes from X-Forwarded-For (one trusted proxy).
const app = await startTestApp({ TRUST_PROXY: '1', LOGIN_MAX_FAILURES_PER_ACCOUNT: '2' });
const pool = new pg.Pool({ connectionString: app.databaseUrl, max: 2 });
afterAll(() => pool.end());

const PASSWORD = 'correct horse battery';
const IPV4 = '203.0.113.77';
const IPV6 = '2001:db8:abcd:12::7';
const USER_AGENT = `SecurityTest/1.0 (${'x'.repeat(150)})`;

/** The API as a client at `ip` with a long user agent. */
const call = (method: string, path: string, options: { body?: unknown; token?: string; ip?: string } = {}) =>
  app.api(method, path, {
    ...options,
    headers: { 'x-forwarded-for': options.ip ?? IPV4, 'user-agent': USER_AGENT },
  });

/** An access token with the admin scope, signed like the server's (tests know its secret). */
const adminToken = (adminId: string) =>
  jwt.sign({ typ: 'access', scope: 'admin', fam: randomUUID() }, 'test-secret-test-secret-test-secret-0123', {
    algorithm: 'HS256',
    issuer: 'daybook',
    subject: adminId,
    expiresIn: 600,
    jwtid: randomUUID(),
  });

interface Item {
  position: string;
  stream: string;
  userId: string | null;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

describe('the security log', () => {
  it('records sign-ins, failures, throttling, token reuse, logout-all and admin reads, for admins only', async () => {
    const alice = await registerUser(app.api);
    const bob = await registerUser(app.api);
    const secrets: string[] = [alice.email, bob.email, PASSWORD, alice.token, bob.token, IPV4, IPV6];

    // A successful login, then its refresh token used twice: the second use is a reuse.
    const signedIn = await call('POST', '/api/auth/login', {
      body: { email: alice.email, password: PASSWORD },
    });
    expect(signedIn.status).toBe(200);
    const refreshed = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: signedIn.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const reused = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: signedIn.body.refreshToken },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('refresh-token-reused');
    secrets.push(
      signedIn.body.accessToken,
      signedIn.body.refreshToken,
      refreshed.body.accessToken,
      refreshed.body.refreshToken,
    );

    // Two wrong passwords, then a throttled attempt (with the right password).
    for (const password of ['wrong password 1', 'wrong password 2']) {
      const wrong = await call('POST', '/api/auth/login', { body: { email: alice.email, password } });
      expect(wrong.status).toBe(401);
      secrets.push(password);
    }
    const throttled = await call('POST', '/api/auth/login', {
      body: { email: alice.email, password: PASSWORD },
    });
    expect(throttled.status).toBe(429);

    // An unknown email, from an IPv6 client.
    const stranger = `Nobody-${randomUUID()}@Example.com`;
    const unknown = await call('POST', '/api/auth/login', {
      body: { email: stranger, password: 'guessing 123' },
      ip: IPV6,
    });
    expect(unknown.status).toBe(401);
    secrets.push(stranger.toLowerCase(), 'guessing 123');

    // The user sees their own security events in their audit trail.
    // The audit trail reads below the cluster-wide read horizon, which another test file's open
    // transaction can hold back a moment: wait until the throttled attempt (the last one) shows.
    const own = await until(
      () => call('GET', `/api/audit/events?stream=security-${alice.userId}`, { token: alice.token }),
      (r) => r.status !== 200 || r.body.items.length >= 5,
      "alice's security events",
    );
    expect(own.status).toBe(200);
    expect(own.body.items.map((i: Item) => i.type)).toEqual([
      'LoginSucceeded',
      'RefreshTokenReused',
      'LoginFailed',
      'LoginFailed',
      'LoginThrottled',
    ]);

    // Logout everywhere; then an administrator reads Alice's history.
    expect((await call('POST', '/api/auth/logout-all', { token: alice.token })).status).toBe(204);
    const adminId = randomUUID();
    const admin = adminToken(adminId);
    expect((await call('GET', `/api/audit/events?userId=${alice.userId}`, { token: admin })).status).toBe(
      200,
    );
    secrets.push(admin);

    // Not for normal users.
    const refused = await call('GET', '/api/audit/security', { token: bob.token });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('insufficient-scope');
    expect((await call('GET', `/api/audit/security?userId=${bob.userId}`, { token: bob.token })).status).toBe(
      403,
    );
    expect((await call('GET', '/api/audit/security')).status).toBe(401);

    const ofAlice = await call('GET', `/api/audit/security?userId=${alice.userId}`, { token: admin });
    expect(ofAlice.status).toBe(200);
    expect(ofAlice.headers.get('cache-control')).toBe('no-store');
    const items = ofAlice.body.items as Item[];
    const network = '203.0.113.0/24';
    const client = { at: expect.any(String), ip: network, userAgent: USER_AGENT.slice(0, 100) };
    expect(items.map((i) => [i.stream, i.userId, i.type, i.data])).toEqual([
      [`security-${alice.userId}`, alice.userId, 'LoginSucceeded', client],
      [
        `security-${alice.userId}`,
        alice.userId,
        'RefreshTokenReused',
        { ...client, reason: 'spent-refresh-token' },
      ],
      [`security-${alice.userId}`, alice.userId, 'LoginFailed', { ...client, reason: 'wrong-password' }],
      [`security-${alice.userId}`, alice.userId, 'LoginFailed', { ...client, reason: 'wrong-password' }],
      [
        `security-${alice.userId}`,
        alice.userId,
        'LoginThrottled',
        { ...client, reason: 'too-many-attempts', retryAfter: expect.any(Number) },
      ],
      [`security-${alice.userId}`, alice.userId, 'SessionsRevoked', { ...client, reason: 'logout-all' }],
      [
        `audit-${alice.userId}`,
        alice.userId,
        'AuditRead',
        { reader: adminId, subject: alice.userId, query: expect.any(Object), at: expect.any(String) },
      ],
    ]);
    expect(items[0]?.metadata).toMatchObject({ actor: alice.userId, correlationId: expect.any(String) });
    expect(ofAlice.body.nextCursor).toBeUndefined();

    // Everyone's, in global order: the unknown email is a pseudonym in security-anonymous.
    const all = await call('GET', '/api/audit/security', { token: admin });
    const allItems = all.body.items as Item[];
    expect(allItems.map((i) => i.position)).toEqual(
      [...allItems.map((i) => i.position)].sort((a, b) => {
        const [x, y] = [a.split('.').map(BigInt), b.split('.').map(BigInt)] as [bigint[], bigint[]];
        return x[0]! === y[0]! ? Number(x[1]! - y[1]!) : Number(x[0]! - y[0]!);
      }),
    );
    const anonymous = allItems.filter((i) => i.stream === 'security-anonymous');
    expect(anonymous.map((i) => [i.userId, i.type, i.data])).toEqual([
      [
        null,
        'LoginFailed',
        {
          at: expect.any(String),
          ip: '2001:db8:abcd::/48',
          userAgent: USER_AGENT.slice(0, 100),
          reason: 'unknown-email',
          emailHash: createHash('sha256').update(stranger.toLowerCase()).digest('hex').slice(0, 16),
        },
      ],
    ]);
    expect(allItems.filter((i) => i.userId === bob.userId)).toEqual([]);

    // Filters and keyset pages.
    const failed = await call('GET', `/api/audit/security?type=LoginFailed&userId=${alice.userId}`, {
      token: admin,
    });
    expect(failed.body.items).toHaveLength(2);
    const reads = await call('GET', '/api/audit/security?type=AuditRead', { token: admin });
    expect(reads.body.items.map((i: Item) => i.data.reader)).toEqual([adminId]);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/api/audit/security?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        token: admin,
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.items.map((i: Item) => i.position));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(allItems.map((i) => i.position));
    const from = items[2]!.data.at as string;
    const to = items[5]!.data.at as string;
    const window = await call(
      'GET',
      `/api/audit/security?userId=${alice.userId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      { token: admin },
    );
    expect(
      window.body.items.every((i: Item) => (i.data.at as string) >= from && (i.data.at as string) < to),
    ).toBe(true);
    expect(window.body.items.map((i: Item) => i.type)).toContain('LoginThrottled');
    expect(window.body.items.map((i: Item) => i.type)).not.toContain('SessionsRevoked');
    const bad = await call('GET', '/api/audit/security?type=ExpenseRecorded&userId=nope&from=yesterday', {
      token: admin,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'query.from',
      'query.type',
      'query.userId',
    ]);

    // What is stored: every security event decodes with its codec, and no secret or full address is in it.
    const { rows } = await pool.query<{
      type: string;
      stream: string;
      data: string;
      json: object;
      v: number;
    }>(
      `SELECT event_type AS type, stream_name AS stream, data::text AS data, data AS json,
              (metadata->>'schemaVersion')::int AS v
       FROM events WHERE stream_name LIKE 'security-%'`,
    );
    expect(rows.length).toBe(7);
    for (const row of rows) {
      securityCodec.decode({
        type: row.type,
        data: row.json as never,
        metadata: { schemaVersion: row.v } as never,
        streamName: row.stream,
        revision: 0n,
      });
      for (const secret of secrets) expect(row.data.toLowerCase()).not.toContain(secret.toLowerCase());
      expect(row.data).not.toMatch(/@/);
    }
  });
});

describe('exports', () => {
  it('records a CSV export as DataExported with the rows it handed out', async () => {
    const user = await registerUser(app.api);
    await call('PUT', '/api/budget/plan/2025-06', {
      token: user.token,
      body: { categories: [{ category: 'food', amount: '300.00' }] },
    });
    for (const date of ['2025-06-01', '2025-06-02']) {
      await call('POST', '/api/transactions', {
        token: user.token,
        body: { amount: '1.00', category: 'food', date },
      });
    }
    const csv = await call('GET', '/api/transactions/export', { token: user.token });
    expect(csv.status).toBe(200);
    expect(String(csv.body).trim().split('\n')).toHaveLength(3);
    const admin = adminToken(randomUUID());
    const exports = await vi.waitFor(async () => {
      const res = await call('GET', `/api/audit/security?type=DataExported&userId=${user.userId}`, {
        token: admin,
      });
      expect(res.body.items).toHaveLength(1);
      return res.body.items as Item[];
    });
    expect(exports[0]?.data).toMatchObject({
      actor: user.userId,
      subject: user.userId,
      events: 2,
      complete: true,
      ip: '203.0.113.0/24',
    });
  });
});

describe('recording is best effort on the request path', () => {
  it('logs a failure to record at error level and answers as if it had been recorded', async () => {
    const failing = new InMemoryEventStore();
    const broken: EventStore = Object.assign(Object.create(failing) as EventStore, {
      append: () => Promise.reject(new Error('event store down')),
    });
    const errors: { details: object; message: string }[] = [];
    const logger = { error: (details: object, message: string) => errors.push({ details, message }) };
    const hasher: PasswordHasher = {
      hash: async (password) => `plain:${password}`,
      verify: async (hash, password) => hash === `plain:${password}`,
    };
    const userId = randomUUID();
    const deps = {
      tokens: new JwtTokenService('best-effort-secret-best-effort-secret-01', 900, 3600),
      tokenStore: new MemoryTokenStore(),
      ids: randomIds,
      clock: systemClock,
      security: securityLog({ store: broken, clock: systemClock, ids: randomIds, logger }),
    };
    const signIn = login({
      ...deps,
      adminEmails: new Set(),
      credentials: {
        create: async () => true,
        findByEmail: async (email) =>
          email === 'a@example.com' ? { email, userId, passwordHash: 'plain:right password' } : undefined,
        remove: async () => undefined,
      },
      hasher,
      loginThrottle: new RateLimiterLoginThrottle({
        maxFailuresPerAccount: 5,
        accountWindowSeconds: 900,
        maxFailuresPerIp: 50,
        ipWindowSeconds: 3600,
      }),
      decoyHash: hasher.hash('decoy'),
    });
    const tokens = await signIn({ email: 'a@example.com', password: 'right password', ip: '10.0.0.1' });
    expect(tokens.userId).toBe(userId);
    await expect(signIn({ email: 'a@example.com', password: 'wrong one' })).rejects.toMatchObject({
      code: 'invalid-credentials',
    });
    await sessions(deps).logoutAll(userId);
    expect(errors.map((e) => [e.message, (e.details as { securityEvent: string }).securityEvent])).toEqual([
      ['security event could not be recorded', 'LoginSucceeded'],
      ['security event could not be recorded', 'LoginFailed'],
      ['security event could not be recorded', 'SessionsRevoked'],
    ]);
    expect((errors[0]!.details as { err: Error }).err.message).toBe('event store down');
  });

  it('keeps only the network of an address', () => {
    expect(ipNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(ipNetwork('::ffff:127.0.0.1')).toBe('127.0.0.0/24');
    expect(ipNetwork('2001:db8:abcd:12::7')).toBe('2001:db8:abcd::/48');
    expect(ipNetwork('2001:0db8::1')).toBe('2001:db8:0::/48');
    expect(ipNetwork('::1')).toBe('0:0:0::/48');
    expect(ipNetwork('fe80::1%eth0')).toBe('fe80:0:0::/48');
    expect(ipNetwork('64:ff9b::192.0.2.33')).toBe('64:ff9b:0::/48');
    expect(ipNetwork('not an ip')).toBeUndefined();
    expect(ipNetwork(undefined)).toBeUndefined();
  });
});

describe('operators', () => {
  it('gives the admin scope at login to the accounts listed in ADMIN_EMAILS, and to no one else', async () => {
    const email = `ops-${randomUUID()}@example.com`;
    const ops = await startTestApp({ ADMIN_EMAILS: email.toUpperCase() });
    await ops.api('POST', '/api/auth/register', {
      body: {
        email,
        password: 'correct horse battery',
        income: '1.00',
        currency: 'USD',
        country: 'US',
        timezone: 'UTC',
      },
    });
    const admin = await ops.api('POST', '/api/auth/login', {
      body: { email, password: 'correct horse battery' },
    });
    expect((await ops.api('GET', '/api/audit/security', { token: admin.body.accessToken })).status).toBe(200);
    const someone = await registerUser(ops.api);
    expect((await ops.api('GET', '/api/audit/security', { token: someone.token })).status).toBe(403);
  });
});
