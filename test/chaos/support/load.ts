import { randomUUID } from 'node:crypto';
import pg from 'pg';

export type Outcome = number | 'refused' | 'timeout';
export interface Sample {
  readonly at: number;
  readonly ms: number;
  readonly outcome: Outcome;
  readonly code?: string;
  readonly retryAfter?: string | null;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * HTTP calls that record how long each one took to be answered. A request unanswered in time (5 s unless
 * told) is abandoned (a hang, reported as 'timeout'); a refused connection (no process listening) is 'refused'.
 */
export class Client {
  readonly samples: Sample[] = [];
  constructor(
    readonly base: string,
    private readonly abandonAfterMs = 5000,
  ) {}

  async call(
    method: string,
    path: string,
    { token, body }: { token?: string; body?: unknown } = {},
    // biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes
  ): Promise<{ status: Outcome; body: any; headers?: Headers }> {
    const at = Date.now();
    try {
      const response = await fetch(this.base + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.abandonAfterMs),
      });
      const text = await response.text();
      const parsed = text.startsWith('{') ? JSON.parse(text) : text;
      this.samples.push({
        at,
        ms: Date.now() - at,
        outcome: response.status,
        code: parsed?.code,
        retryAfter: response.headers.get('retry-after'),
      });
      return { status: response.status, body: parsed, headers: response.headers };
    } catch (error) {
      const outcome: Outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'refused';
      this.samples.push({ at, ms: Date.now() - at, outcome });
      return { status: outcome, body: undefined };
    }
  }
}

export const MONTH = '2025-06';

/** A user with a planned month big enough for any number of small expenses; returns its access token. */
export async function plannedUser(client: Client): Promise<string> {
  const registered = await client.call('POST', '/api/auth/register', {
    body: {
      email: `chaos-${randomUUID()}@example.com`,
      password: 'correct horse battery',
      income: '1000000.00',
      currency: 'USD',
      country: 'US',
      timezone: 'UTC',
    },
  });
  if (registered.status !== 201)
    throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const token = registered.body.accessToken as string;
  const plan = await client.call('PUT', `/api/budget/plan/${MONTH}`, {
    token,
    body: { categories: [{ category: 'food', amount: '900000.00' }] },
  });
  if (plan.status !== 201) throw new Error(`plan: ${plan.status} ${JSON.stringify(plan.body)}`);
  return token;
}

/** POSTs one expense with a client id until it is acknowledged (201), retrying with the same id. */
export async function recordUntilAcknowledged(client: Client, token: string, id: string): Promise<number> {
  for (;;) {
    const res = await client.call('POST', '/api/transactions', {
      token,
      body: { id, amount: '1.25', category: 'food', date: `${MONTH}-15` },
    });
    if (res.status === 201) return Date.now();
    // Only "not now" is retried; any other answer is a failure the test must report.
    if (res.status !== 503 && res.status !== 'refused' && res.status !== 'timeout')
      throw new Error(`POST /api/transactions ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    await sleep(50);
  }
}

/** `writers` loops recording new expenses until `until()` is true; returns every acknowledged id. */
export async function writeLoad(
  client: Client,
  token: string,
  writers: number,
  until: () => boolean,
): Promise<{ acknowledged: string[]; acknowledgedAt: number[] }> {
  const acknowledged: string[] = [];
  const acknowledgedAt: number[] = [];
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (!until()) {
        const id = randomUUID();
        acknowledgedAt.push(await recordUntilAcknowledged(client, token, id));
        acknowledged.push(id);
      }
    }),
  );
  return { acknowledged, acknowledgedAt };
}

/** How many ExpenseRecorded events the log holds per transaction id. */
export async function recordedCounts(databaseUrl: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; n: number }>(
      `SELECT data->>'transactionId' AS id, count(*)::int AS n FROM events
       WHERE event_type = 'ExpenseRecorded' GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  } finally {
    await client.end();
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function summary(samples: readonly Sample[]) {
  const ms = samples.map((s) => s.ms);
  const outcomes: Record<string, number> = {};
  for (const s of samples) {
    const key = `${s.outcome}${s.code ? ` ${s.code}` : ''}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return {
    requests: samples.length,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    max: Math.max(0, ...ms),
    outcomes,
  };
}
