import { type RunningDaybook, startDaybook } from '../../src/server.js';
import { contract } from '../fuzz/contract.js';
import { stopWhenDone } from './file-end.js';
import { testDatabase } from './postgres.js';

/** Daybook on an ephemeral port with a database of its own; stopped after the file. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { databaseUrl?: string } = {},
): Promise<RunningDaybook & { api: Api; databaseUrl: string }> {
  const url = options.databaseUrl ?? (await testDatabase({ migrate: false })).url;
  const app = await startDaybook({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: url,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // The suite runs dozens of servers at once on a shared machine, where opening a connection can take
    // longer than the production bound; the outage tests use refused connections, which fail at once.
    PG_CONNECT_TIMEOUT_MS: '10000',
    // Tests register many users from one address; the rate-limit test sets its own low limits.
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
    RATE_LIMIT_PER_MINUTE: '100000',
    // A read waits for the client's own write until the read models reach it: on a loaded machine that
    // can take longer than the production bound, and a read that gives up early makes a test flaky.
    READ_YOUR_WRITES_TIMEOUT_MS: '10000',
    ...env,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop();
  };
  stopWhenDone(stop);
  return { ...app, stop, api: api(app.url), databaseUrl: url };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies of many shapes
  body: any;
}
export type Api = (
  method: string,
  path: string,
  options?: { body?: unknown; token?: string; headers?: Record<string, string> },
) => Promise<ApiResponse>;

export const api =
  (base: string): Api =>
  async (method, path, { body, token, headers = {} } = {}) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    conformsToDocument(method, path, response, parsed);
    return { status: response.status, headers: response.headers, body: parsed };
  };

/**
 * Every response an e2e test gets is checked against the served OpenAPI document (declared status,
 * problem+json errors, body schema), so the document cannot drift from what the tests see. Paths the
 * document does not describe (unknown routes, /docs) are not checked.
 */
export function conformsToDocument(method: string, path: string, response: Response, body: unknown): void {
  const checker = contract();
  const operation = checker.find(method, path);
  if (!operation) return;
  const problem = checker.check(operation, {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body,
  });
  if (problem) throw new Error(`response differs from /openapi.json: ${problem}`);
}

let counter = 0;
export async function registerUser(call: Api, overrides: Record<string, unknown> = {}) {
  counter += 1;
  const email = `user${counter}-${Date.now()}@example.com`;
  const res = await call('POST', '/api/auth/register', {
    body: {
      email,
      password: 'correct horse battery',
      income: '3000.00',
      currency: 'USD',
      country: 'US',
      timezone: 'Europe/Berlin',
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { email, token: res.body.accessToken as string, userId: res.body.user.id as string, body: res.body };
}
