import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api, registerUser, startTestApp } from '../support/app.js';
import { contract } from './contract.js';
import { type FuzzRequest, type Identity, type Pools, request } from './requests.js';

/**
 * Generated requests for every operation of the served document, valid and hostile, as the owner of the
 * data, another user and anonymous. FUZZ_RUNS requests (default 2,000; `npm run fuzz -- --runs N`),
 * FUZZ_SEED replays a run (the seed is printed first).
 */
const REQUESTS = Number(process.env.FUZZ_RUNS ?? 2000);
const BATCH = 4;
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

// A read told to wait for a position that never comes waits this long (production: seconds).
const { url } = await startTestApp({ READ_YOUR_WRITES_TIMEOUT_MS: '100' });
const call = api(url);
const checker = contract();

interface Session {
  email: string;
  token: string;
  refreshToken: string;
}

const today = new Date().toISOString().slice(0, 10);
const month = today.slice(0, 7);

async function newSession(): Promise<Session> {
  const user = await registerUser(call);
  await call('PUT', `/api/budget/plan/${month}`, {
    token: user.token,
    body: {
      categories: [
        { category: 'food', amount: '600.00' },
        { category: 'transport', amount: '300.00' },
      ],
    },
  });
  return { email: user.email, token: user.token, refreshToken: user.body.refreshToken };
}

async function recordExpense(session: Session, date: string): Promise<string> {
  const res = await call('POST', '/api/transactions', {
    token: session.token,
    body: { amount: '7.50', category: 'food', date, merchant: 'Bakery' },
  });
  if (res.status !== 201) throw new Error(`seed expense: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** The JSON body limit of the app (express.json in app.ts). */
const BODY_LIMIT = 256 * 1024;

interface Answer {
  /** No answer came: the connection was closed (status 413 when the body was over the limit). */
  readonly reset: boolean;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

async function send(req: FuzzRequest, sessions: Record<Exclude<Identity, 'anonymous'>, Session>) {
  const token = req.badToken ?? (req.identity === 'anonymous' ? undefined : sessions[req.identity].token);
  const headers: Record<string, string> = { ...req.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const query = [...req.query];
  let body: string | FormData | undefined;
  if (typeof req.body === 'object') {
    if (req.body.as === 'multipart') {
      body = new FormData();
      body.append('file', new Blob([req.body.csv], { type: 'text/csv' }), 'bank.csv');
      body.append('mapping', req.body.mapping);
    } else {
      body = req.body.csv;
      headers['content-type'] ??= 'text/csv';
      if (!query.some(([name]) => name === 'mapping')) query.push(['mapping', req.body.mapping]);
    }
  } else body = req.body;
  const qs = new URLSearchParams(query as [string, string][]).toString();
  let response: Response;
  try {
    response = await fetch(`${url}${req.path}${qs ? `?${qs}` : ''}`, {
      method: req.op.method,
      headers,
      ...(req.op.method === 'GET' || body === undefined ? {} : { body }),
    });
  } catch (error) {
    // A body over the limit is answered 413 before it is read whole; the server may then close the
    // connection while the client still writes. Any other failure to get an answer is a finding.
    const oversize = typeof body === 'string' && Buffer.byteLength(body) > BODY_LIMIT;
    return { status: oversize ? 413 : 0, contentType: null, body: String(error), reset: true };
  }
  const text = await response.text();
  const contentType = response.headers.get('content-type');
  let parsed: unknown = text;
  if (contentType?.includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {}
  }
  return { status: response.status, contentType, body: parsed, reset: false } satisfies Answer;
}

const describeRequest = (req: FuzzRequest): string =>
  `${req.op.method} ${req.path.slice(0, 200)}${req.query.length ? `?${new URLSearchParams(req.query as [string, string][]).toString().slice(0, 200)}` : ''} as ${req.identity}${req.badToken === undefined ? '' : ' (bad token)'} headers ${JSON.stringify(req.headers).slice(0, 200)} body ${JSON.stringify(req.body)?.slice(0, 300)}`;

describe('API fuzz', () => {
  it(
    `answers ${REQUESTS} generated requests as the document says: no 5xx, declared statuses and bodies`,
    async () => {
      console.log(`API fuzz: seed ${seed}, ${REQUESTS} requests (replay with FUZZ_SEED=${seed})`);
      const sessions = { owner: await newSession(), other: await newSession() };
      const pools: Pools = {
        month,
        days: [today, `${month}-01`, '2025-06-15'],
        transactionIds: [
          await recordExpense(sessions.owner, today),
          await recordExpense(sessions.owner, `${month}-01`),
          await recordExpense(sessions.other, today),
        ],
        refreshTokens: [sessions.owner.refreshToken],
        emails: [sessions.owner.email, sessions.other.email],
      };
      const operations = checker.operations.filter((op) => op.path !== '/metrics');
      const failures = new Map<string, string>();
      let failed = 0;
      const statuses = new Map<string, number>();
      let sent = 0;
      let renewed = 0;
      let resets = 0;
      const elapsed = new Map<string, number>();
      const anyRequest = fc.constantFrom(...operations).chain((op) => request(op, pools));

      await fc.assert(
        fc.asyncProperty(fc.array(anyRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const answers = await Promise.all(
            batch.map(async (req) => {
              const started = performance.now();
              const answer = await send(req, sessions);
              const op = `${req.op.method} ${req.op.path}`;
              elapsed.set(op, (elapsed.get(op) ?? 0) + performance.now() - started);
              return answer;
            }),
          );
          sent += batch.length;
          const stale = new Set<'owner' | 'other'>();
          batch.forEach((req, i) => {
            const answer = answers[i] as Answer;
            const key = `${req.op.method} ${req.op.path} ${answer.status}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            if (answer.reset && answer.status === 413) resets += 1;
            const problem =
              answer.status >= 500 || answer.status === 0
                ? `${answer.status || 'no answer'}: ${JSON.stringify(answer.body).slice(0, 300)}`
                : answer.reset
                  ? undefined
                  : checker.check(req.op, answer);
            if (problem) {
              // One example per operation and status is enough to act on; all of them are counted.
              const seen = failures.has(key);
              if (!seen) failures.set(key, `${problem}\n  request: ${describeRequest(req)}`);
              failed += 1;
            }
            // A logout, an erasure or a reused refresh token ends a session: start a new one.
            if (answer.status === 401 && req.identity !== 'anonymous' && req.badToken === undefined) {
              stale.add(req.identity);
            }
          });
          for (const identity of stale) {
            sessions[identity] = await newSession();
            renewed += 1;
          }
        }),
        { seed, numRuns: Math.ceil(REQUESTS / BATCH), endOnFailure: true },
      );

      if (failures.size) console.log(`API fuzz failures:\n${[...failures.values()].join('\n')}`);
      expect(
        [...failures.values()],
        `${failed} answers differ from the document (seed ${seed}); one example per operation and status`,
      ).toEqual([]);
      const covered = new Set([...statuses.keys()].map((k) => k.split(' ').slice(0, 2).join(' ')));
      console.log(
        `API fuzz: ${sent} requests, ${covered.size}/${operations.length} operations, ` +
          `${[...statuses.values()].length} operation/status pairs, ${renewed} sessions renewed, ${resets} oversize bodies cut off; 5xx: 0; undeclared: 0`,
      );
      const slowest = [...elapsed].sort(([, a], [, b]) => b - a).slice(0, 5);
      console.log(
        `API fuzz: most time in ${slowest.map(([op, ms]) => `${op} ${Math.round(ms)} ms`).join(', ')}`,
      );
      expect(covered.size).toBe(operations.length);

      // Still healthy: live, ready, and a new user's round trip works.
      expect((await call('GET', '/health/live')).status).toBe(200);
      expect((await call('GET', '/health/ready')).status).toBe(200);
      const fresh = await newSession();
      const id = await recordExpense(fresh, today);
      // This app bounds the read-your-writes wait at 100 ms, and a long run leaves the read models
      // behind: the new expense must be readable once they have caught up (within 30 s).
      const started = Date.now();
      let read = await call('GET', `/api/transactions/${id}`, { token: fresh.token });
      while (read.status === 404 && Date.now() - started < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        read = await call('GET', `/api/transactions/${id}`, { token: fresh.token });
      }
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    },
    Math.max(600_000, REQUESTS * 200),
  );
});
