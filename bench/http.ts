import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { benchDatabase } from './support/database.js';
import { type LoadResult, load } from './support/load.js';
import { type Started, startProcess } from './support/processes.js';
import { machine, writeResult } from './support/report.js';

/**
 * Daybook over HTTP against a floor server (bench/floor-server.ts: express 5 + jsonwebtoken + one
 * statement) on the same routes, the same JSON, the same tokens and the same PostgreSQL, each started
 * by this script as its own node process and loaded by autocannon from this one: writes
 * (POST /api/transactions), reads (GET /api/budget/daily/{today}), an unknown route with a valid token,
 * and express hello world. BENCH_HTTP_SECONDS (default 10) per run, BENCH_HTTP_CONNECTIONS (32),
 * BENCH_HTTP_USERS (50). BENCH_PROFILE_DIR: Daybook runs with `--cpu-prof` and writes its profile there.
 * BENCH_DAYBOOK_ROLES: Daybook's DAYBOOK_ROLES (default: every role, projections included, in one process).
 */
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 32);
const USERS = Number(process.env.BENCH_HTTP_USERS ?? 50);

const FLOOR_SCHEMA = `
  CREATE TABLE floor_expenses (
    id uuid PRIMARY KEY, user_id text NOT NULL, day date NOT NULL, category text NOT NULL,
    amount bigint NOT NULL, merchant text);
  CREATE INDEX floor_expenses_user_day ON floor_expenses (user_id, day);
  CREATE TABLE floor_plans (
    user_id text NOT NULL, category text NOT NULL, daily bigint NOT NULL, PRIMARY KEY (user_id, category));
`;

interface User {
  readonly id: string;
  readonly token: string;
}

const today = () => new Date().toISOString().slice(0, 10);

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function registerUsers(base: string): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < USERS; i++) {
    const registered = await call(base, 'POST', '/api/auth/register', {
      email: `bench-${i}-${randomUUID()}@example.com`,
      password: 'correct horse battery staple',
      income: '3000.00',
      currency: 'USD',
      country: 'US',
      timezone: 'UTC',
    });
    const user = { id: (registered.user as { id: string }).id, token: registered.accessToken as string };
    await call(
      base,
      'PUT',
      `/api/budget/plan/${today().slice(0, 7)}`,
      {
        categories: [
          { category: 'food', amount: '900.00' },
          { category: 'fun', amount: '300.00' },
        ],
      },
      user.token,
    );
    users.push(user);
  }
  return users;
}

function rotate(users: readonly User[]) {
  let next = 0;
  return () => users[next++ % users.length] as User;
}

const writes = (users: readonly User[]) => {
  const pick = rotate(users);
  return () => ({
    method: 'POST' as const,
    path: '/api/transactions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pick().token}` },
    body: JSON.stringify({
      id: randomUUID(),
      amount: `${1 + Math.floor(Math.random() * 20)}.25`,
      category: Math.random() < 0.5 ? 'food' : 'fun',
      date: today(),
      merchant: 'Corner shop',
    }),
  });
};

const reads = (users: readonly User[]) => {
  const pick = rotate(users);
  return () => ({
    method: 'GET' as const,
    path: `/api/budget/daily/${today()}`,
    headers: { authorization: `Bearer ${pick().token}` },
  });
};

const unknown = (users: readonly User[]) => {
  const pick = rotate(users);
  return () => ({
    method: 'GET' as const,
    path: '/api/no-such-route',
    headers: { authorization: `Bearer ${pick().token}` },
  });
};

async function measure(server: Started, request: Parameters<typeof load>[0]['request']): Promise<LoadResult> {
  await load({ url: server.url, connections: CONNECTIONS, seconds: 2, request });
  return load({ url: server.url, connections: CONNECTIONS, seconds: SECONDS, request });
}

export async function benchHttp(): Promise<void> {
  const db = await benchDatabase('http');
  const secret = randomBytes(32).toString('hex');
  const servers: Started[] = [];
  try {
    const profile = process.env.BENCH_PROFILE_DIR;
    const daybook = await startProcess(
      'src/main.ts',
      {
        DATABASE_URL: db.url,
        JWT_SECRET: secret,
        RATE_LIMIT_PER_MINUTE: '100000000',
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000000',
        LOG_LEVEL: 'warn',
        ...(process.env.BENCH_DAYBOOK_ROLES ? { DAYBOOK_ROLES: process.env.BENCH_DAYBOOK_ROLES } : {}),
      },
      '/health/live',
      profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
    );
    servers.push(daybook);
    const users = await registerUsers(daybook.url);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(FLOOR_SCHEMA);
    for (const user of users) {
      await client.query(
        "INSERT INTO floor_plans VALUES ($1, 'food', 2903), ($1, 'fun', 967) ON CONFLICT DO NOTHING",
        [user.id],
      );
    }
    await client.end();
    const results: Record<string, LoadResult> = {};
    results.daybookWrites = await measure(daybook, writes(users));
    results.daybookReads = await measure(daybook, reads(users));
    results.daybookUnknown = await measure(daybook, unknown(users));
    await daybook.stop();
    const env = { DATABASE_URL: db.url, JWT_SECRET: secret };
    const floor = await startProcess('bench/floor-server.ts', env);
    servers.push(floor);
    results.floorWrites = await measure(floor, writes(users));
    results.floorReads = await measure(floor, reads(users));
    results.floorUnknown = await measure(floor, unknown(users));
    await floor.stop();
    const hello = await startProcess('bench/floor-server.ts', { ...env, FLOOR_MODE: 'hello' });
    servers.push(hello);
    results.helloWorld = await measure(hello, unknown(users));
    report(results);
  } finally {
    for (const server of servers) await server.stop();
    await db.drop();
  }
}

function report(r: Record<string, LoadResult>): void {
  const get = (name: string) => r[name] as LoadResult;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ratios = {
    writesVsFloor: ratio(get('daybookWrites').requestsPerSecond, get('floorWrites').requestsPerSecond),
    writesP99VsFloor: ratio(get('daybookWrites').p99Ms, get('floorWrites').p99Ms),
    readsVsFloor: ratio(get('daybookReads').requestsPerSecond, get('floorReads').requestsPerSecond),
    unknownRouteVsHello: ratio(get('daybookUnknown').requestsPerSecond, get('helloWorld').requestsPerSecond),
  };
  console.table(
    Object.fromEntries(
      Object.entries(r).map(([name, v]) => [
        name,
        {
          'req/s': v.requestsPerSecond,
          'p50 ms': v.p50Ms,
          'p99 ms': v.p99Ms,
          non2xx: v.non2xx,
          errors: v.errors,
        },
      ]),
    ),
  );
  console.table(ratios);
  writeResult('http', {
    ...machine(),
    seconds: SECONDS,
    connections: CONNECTIONS,
    users: USERS,
    results: r,
    ratios,
    aims: { writesVsFloor: '>= 0.6', writesP99VsFloor: '<= 2', readsVsFloor: '>= 1.5' },
  });
}
