import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startDaybook } from '../src/server.js';

/**
 * Freshness: from a write's 201 to the moment the daily read model shows it, at half the sustainable
 * write rate (aim: p99 <= 100 ms).
 *
 * Daybook is started in this process on a fresh database of DATABASE_URL's server (required), with its
 * projections and workers. Users are registered over HTTP. Then:
 *   1. the sustainable write rate: FRESHNESS_WRITERS (default 16) closed-loop writers POST expenses for
 *      FRESHNESS_SATURATE_S seconds (default 5);
 *   2. idle: one write at a time, 100 ms apart (the baseline: freshness with nothing else going on);
 *   3. loaded: an open loop at half the sustainable rate for FRESHNESS_LOAD_S seconds (default 10).
 * "Visible" is exact: a connection LISTENs to the runner's commit notifications and reads the live
 * daily-allocation generation's checkpoint, committed in the transaction that wrote the rows; a write
 * is visible once that checkpoint reaches the write's position. The database is dropped at the end.
 */

export interface FreshnessResult {
  readonly sustainableWritesPerSecond: number;
  readonly loadedWritesPerSecond: number;
  readonly idle: Percentiles;
  readonly loaded: Percentiles;
  readonly writeLatencyLoaded: Percentiles;
  /** Loaded p99 freshness over the 100 ms aim (<= 1 meets it). */
  readonly p99OverAim: number;
  /** Loaded p99 freshness over the idle p99 freshness. */
  readonly p99LoadedOverIdle: number;
}

interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

const AIM_MS = 100;

const percentiles = (values: readonly number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
};

const comparePositions = (a: string, b: string) => {
  const [a1, a2] = a.split('.').map(BigInt) as [bigint, bigint];
  const [b1, b2] = b.split('.').map(BigInt) as [bigint, bigint];
  return a1 !== b1 ? (a1 < b1 ? -1 : 1) : a2 === b2 ? 0 : a2 < b2 ? -1 : 1;
};

/** Resolves each write's promise when the live daily-allocation generation has reached its position. */
class Visibility {
  private readonly pending: { position: string; resolve: () => void }[] = [];
  private checking = false;
  private again = false;

  constructor(private readonly client: pg.Client) {}

  async start(): Promise<void> {
    this.client.on('notification', (n) => {
      if (n.payload === 'daily-allocation') void this.check();
    });
    await this.client.query('LISTEN daybook_projections');
  }

  visible(position: string): Promise<void> {
    return new Promise((resolve) => {
      this.pending.push({ position, resolve });
      void this.check();
    });
  }

  private async check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.again = false;
        const { rows } = await this.client.query<{ position: string }>(
          `SELECT position FROM projection_generations WHERE name = 'daily-allocation' AND status = 'live'`,
        );
        const at = rows[0]?.position ?? '0.0';
        for (let i = this.pending.length - 1; i >= 0; i--) {
          const p = this.pending[i] as (typeof this.pending)[number];
          if (comparePositions(p.position, at) <= 0) {
            this.pending.splice(i, 1);
            p.resolve();
          }
        }
      } while (this.again);
    } finally {
      this.checking = false;
    }
  }
}

export async function benchFreshness(
  out: (line: string) => void = (line) => console.log(line),
): Promise<FreshnessResult> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl)
    throw new Error('bench freshness needs DATABASE_URL (a PostgreSQL server to create a database on)');
  const writers = Number(process.env.FRESHNESS_WRITERS ?? 16);
  const saturateS = Number(process.env.FRESHNESS_SATURATE_S ?? 5);
  const loadS = Number(process.env.FRESHNESS_LOAD_S ?? 10);
  const database = `daybook_fresh_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const listener = new pg.Client({ connectionString: url.toString() });
  let app: Awaited<ReturnType<typeof startDaybook>> | undefined;
  try {
    app = await startDaybook({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: url.toString(),
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      PG_POOL_SIZE: '20',
    });
    const base = app.url;
    await listener.connect();
    const visibility = new Visibility(listener);
    await visibility.start();

    const call = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const tokens: string[] = [];
    for (let i = 0; i < writers; i++) {
      const res = await call('/api/auth/register', {
        email: `fresh-${i}-${randomUUID()}@example.com`,
        password: 'correct horse battery',
        income: '3000.00',
        currency: 'USD',
        country: 'US',
        timezone: 'UTC',
      });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
      tokens.push(res.body.accessToken as string);
    }
    const today = new Date().toISOString().slice(0, 10);
    let n = 0;
    /** One expense; answers its latency and when it became visible in the daily read model. */
    const write = async (token: string) => {
      n += 1;
      const started = performance.now();
      const res = await call(
        '/api/transactions',
        { amount: `${(n % 50) + 1}.00`, category: 'food', date: today, merchant: 'Bench' },
        token,
      );
      const answered = performance.now();
      if (res.status !== 201) throw new Error(`write: ${res.status} ${JSON.stringify(res.body)}`);
      await visibility.visible(res.body.position as string);
      return { latency: answered - started, freshness: performance.now() - answered };
    };

    // Warm-up: every user's month gets its plan and the paths are compiled.
    await Promise.all(tokens.map((t) => write(t)));

    let done = 0;
    const until = performance.now() + saturateS * 1000;
    await Promise.all(
      tokens.map(async (token) => {
        while (performance.now() < until) {
          await write(token);
          done += 1;
        }
      }),
    );
    const sustainable = done / saturateS;
    out(
      `sustainable write rate: ${sustainable.toFixed(0)} writes/s (${writers} closed-loop writers, ${saturateS} s)`,
    );

    const idle: number[] = [];
    for (let i = 0; i < 50; i++) {
      idle.push((await write(tokens[i % tokens.length] as string)).freshness);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const rate = sustainable / 2;
    const loaded: number[] = [];
    const latencies: number[] = [];
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; performance.now() - started < loadS * 1000; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        write(tokens[i % tokens.length] as string).then((r) => {
          loaded.push(r.freshness);
          latencies.push(r.latency);
        }),
      );
    }
    await Promise.all(inFlight);
    const loadedRate = loaded.length / loadS;
    const result: FreshnessResult = {
      sustainableWritesPerSecond: Math.round(sustainable),
      loadedWritesPerSecond: Math.round(loadedRate),
      idle: percentiles(idle),
      loaded: percentiles(loaded),
      writeLatencyLoaded: percentiles(latencies),
      p99OverAim: Math.round((percentiles(loaded).p99 / AIM_MS) * 100) / 100,
      p99LoadedOverIdle:
        Math.round((percentiles(loaded).p99 / Math.max(percentiles(idle).p99, 0.1)) * 100) / 100,
    };
    const row = (name: string, p: Percentiles) =>
      `${name.padEnd(26)} ${String(p.count).padStart(6)} ${[p.p50, p.p90, p.p99, p.max].map((v) => v.toFixed(1).padStart(8)).join(' ')}`;
    out(
      `${'ms'.padEnd(26)} ${'count'.padStart(6)} ${['p50', 'p90', 'p99', 'max'].map((v) => v.padStart(8)).join(' ')}`,
    );
    out(row('freshness, idle', result.idle));
    out(row(`freshness at ${result.loadedWritesPerSecond}/s`, result.loaded));
    out(row(`write 201 at ${result.loadedWritesPerSecond}/s`, result.writeLatencyLoaded));
    out(
      `p99 freshness / 100 ms aim: ${result.p99OverAim}; loaded p99 / idle p99: ${result.p99LoadedOverIdle}`,
    );
    return result;
  } finally {
    await listener.end().catch(() => undefined);
    await app?.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}
