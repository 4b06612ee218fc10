import { randomBytes, randomUUID } from 'node:crypto';
import { benchDatabase } from './support/database.js';
import { type Started, startProcess } from './support/processes.js';
import { machine, writeResult } from './support/report.js';

/**
 * What a write and an as-of read cost as the month fills up, over HTTP against `npm start`'s server:
 * one user, one month, grown to each size in BENCH_GROWTH_SIZES (events: a plan, then one
 * ExpenseRecorded per expense; the plan is large enough that nothing overspends) with the bulk route,
 * then BENCH_GROWTH_SAMPLES sequential `POST /api/transactions`, `GET /api/budget/daily/{d}?asOf=now`
 * and `GET /api/budget/daily/{d}` (the read model), each reported as its median. Ratios: a write at
 * each size against the write into the empty month; an as-of read against the read-model read.
 */
const SIZES = (process.env.BENCH_GROWTH_SIZES ?? '0,500,1000,2000,4000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_GROWTH_SAMPLES ?? 40);
const BULK = 500;

interface Row {
  readonly events: number;
  readonly writeP50Ms: number;
  readonly asOfP50Ms: number;
  readonly readModelP50Ms: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 100) / 100;
};

async function timed(url: string, init: RequestInit): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status}`);
  return performance.now() - started;
}

export async function benchGrowth(): Promise<void> {
  const db = await benchDatabase('growth');
  let server: Started | undefined;
  try {
    server = await startProcess('src/main.ts', {
      DATABASE_URL: db.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: 'warn',
    });
    const rows = await grow(server.url);
    report(rows);
  } finally {
    await server?.stop();
    await db.drop();
  }
}

async function grow(base: string): Promise<Row[]> {
  const json = { 'content-type': 'application/json' };
  const registered = (await (
    await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        email: `growth-${randomUUID()}@example.com`,
        password: 'correct horse battery staple',
        income: '1000000.00',
        currency: 'USD',
        country: 'US',
        timezone: 'UTC',
      }),
    })
  ).json()) as { accessToken: string };
  const headers = { ...json, authorization: `Bearer ${registered.accessToken}` };
  const date = new Date().toISOString().slice(0, 10);
  const plan = { categories: [{ category: 'food', amount: '1000000.00' }] };
  await timed(`${base}/api/budget/plan/${date.slice(0, 7)}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify(plan),
  });
  const expense = () => ({ id: randomUUID(), amount: '0.01', category: 'food', date, merchant: 'Kiosk' });
  let events = 1;
  const rows: Row[] = [];
  for (const size of SIZES) {
    while (events < size) {
      const n = Math.min(BULK, size - events);
      const transactions = Array.from({ length: n }, expense);
      await timed(`${base}/api/transactions/bulk`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ transactions }),
      });
      events += n;
    }
    const at = events;
    const writes: number[] = [];
    const asOf: number[] = [];
    const reads: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      writes.push(
        await timed(`${base}/api/transactions`, { method: 'POST', headers, body: JSON.stringify(expense()) }),
      );
      events += 1;
      const now = encodeURIComponent(new Date().toISOString());
      asOf.push(await timed(`${base}/api/budget/daily/${date}?asOf=${now}`, { headers }));
      reads.push(await timed(`${base}/api/budget/daily/${date}`, { headers }));
    }
    rows.push({
      events: at,
      writeP50Ms: median(writes),
      asOfP50Ms: median(asOf),
      readModelP50Ms: median(reads),
    });
  }
  return rows;
}

function report(rows: readonly Row[]): void {
  const empty = rows[0] as Row;
  const table = rows.map((r) => ({
    ...r,
    writeVsEmpty: Math.round((r.writeP50Ms / empty.writeP50Ms) * 100) / 100,
    asOfVsReadModel: Math.round((r.asOfP50Ms / r.readModelP50Ms) * 100) / 100,
  }));
  console.table(table);
  writeResult('growth', {
    ...machine(),
    samples: SAMPLES,
    rows: table,
    aims: { writeVsEmptyAt2000: '<= 1.5', asOfVsReadModel: '<= 3' },
  });
}
