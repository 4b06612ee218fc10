import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { type ApiResponse, registerUser, startTestApp } from '../support/app.js';

const app = await startTestApp();
const { api } = app;
const pool = new pg.Pool({ connectionString: app.databaseUrl, max: 2 });
afterAll(() => pool.end());

const plan = (token: string, month: string, categories: unknown[]) =>
  api('PUT', `/api/budget/plan/${month}`, { token, body: { categories } }).then((r) => {
    if (r.status >= 300) throw new Error(`plan ${month}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  });

const post = (token: string, body: unknown, key?: string) =>
  api('POST', '/api/transactions', { token, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

const spentIn = async (token: string, month: string, after: string) => {
  const res = await api('GET', `/api/budget/monthly?month=${month}&after=${after}`, { token });
  expect(res.headers.get('daybook-caught-up')).toBe('true');
  return res.body.total.spent as string;
};

/** multipart/form-data upload of a CSV with its column mapping. */
async function importCsv(token: string, csv: string, mapping: unknown): Promise<ApiResponse> {
  const form = new FormData();
  form.append('mapping', JSON.stringify(mapping));
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'statement.csv');
  const response = await fetch(`${app.url}/api/transactions/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body };
}

async function waitForTask(token: string, location: string, timeoutMs = 20_000): Promise<ApiResponse> {
  const started = Date.now();
  for (;;) {
    const res = await api('GET', location, { token });
    if (res.status !== 200) throw new Error(`task: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status === 'done' || res.body.status === 'failed') return res;
    if (Date.now() - started > timeoutMs) throw new Error(`task not done: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Idempotency-Key on POST /api/transactions', () => {
  it('records exactly one transaction for 20 concurrent POSTs with one key', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '600.00' }]);
    const key = `key-${randomUUID()}`;
    const merchant = `Concurrent ${randomUUID().slice(0, 8)}`;
    const body = { amount: '7.25', category: 'food', date: '2025-06-03', merchant };
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(token, body, key)));

    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = responses.filter((r) => r.status === 201);
    const original = created.filter((r) => r.headers.get('idempotent-replayed') !== 'true');
    expect(original).toHaveLength(1);
    const first = original[0] as ApiResponse;
    for (const r of created) expect(r.body).toEqual(first.body);
    for (const r of responses.filter((x) => x.status === 409)) {
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.code).toBe('idempotency-key-in-flight');
    }

    const list = await api('GET', `/api/transactions?after=${first.body.position}&merchant=${merchant}`, {
      token,
    });
    expect(list.headers.get('daybook-caught-up')).toBe('true');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].id).toBe(first.body.id);

    // Once it finished, a retry gets the stored first response back, and records nothing.
    const retry = await post(token, body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(`/api/transactions/${first.body.id}`);
    expect(retry.body).toEqual(first.body);
    expect(await spentIn(token, '2025-06', first.body.position)).toBe('7.25');
  });

  it('refuses the same key with a different body (422) and malformed keys (400)', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '600.00' }]);
    const key = randomUUID();
    const first = await post(token, { amount: '5.00', category: 'food', date: '2025-06-04' }, key);
    expect(first.status).toBe(201);
    const reused = await post(token, { amount: '6.00', category: 'food', date: '2025-06-04' }, key);
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body.type).toBe('/problems/idempotency-key-reused');
    // Key order in the JSON does not make a different request.
    const reordered = await post(token, { date: '2025-06-04', category: 'food', amount: '5.00' }, key);
    expect(reordered.status).toBe(201);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');

    for (const bad of ['x'.repeat(256), 'caf\u00e9']) {
      const res = await post(token, { amount: '1.00', category: 'food', date: '2025-06-04' }, bad);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid-idempotency-key');
    }
  });

  it('replays a first response that failed with a 4xx', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '600.00' }]);
    const key = randomUUID();
    const body = { amount: '0.00', category: 'travel', date: '2025-06-04' };
    const first = await post(token, body, key);
    expect(first.status).toBe(422);
    expect(first.body.code).toBe('invalid-amount');
    const again = await post(token, body, key);
    expect(again.status).toBe(422);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body).toEqual(first.body);
  });
});

describe('PUT and DELETE /api/transactions/{id}', () => {
  it('amends, moves to another month (void + record, linked by causation), and voids', async () => {
    const { token, userId } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '600.00' }]);
    await plan(token, '2025-07', [{ category: 'food', amount: '620.00' }]);
    const recorded = await post(token, { amount: '10.00', category: 'food', date: '2025-06-10' });
    expect(recorded.status).toBe(201);
    const id = recorded.body.id as string;

    const amended = await api('PUT', `/api/transactions/${id}?after=${recorded.body.position}`, {
      token,
      body: { amount: '15.00', merchant: 'Market' },
    });
    expect(amended.status).toBe(200);
    expect(amended.body).toMatchObject({ id, amount: '15.00', date: '2025-06-10', merchant: 'Market' });
    expect(amended.body.changed).toBe(true);
    expect(amended.headers.get('daybook-position')).toBe(amended.body.position);
    const daily = await api('GET', `/api/budget/daily/2025-06-10?after=${amended.body.position}`, { token });
    expect(daily.body.total.spent).toBe('15.00');

    const moved = await api('PUT', `/api/transactions/${id}`, {
      token,
      headers: { 'daybook-after': amended.body.position },
      body: { date: '2025-07-05', merchant: null },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id, amount: '15.00', date: '2025-07-05' });
    expect(moved.body.merchant).toBeUndefined();
    expect(moved.body.moved).toEqual({ from: '2025-06', to: '2025-07' });
    expect(await spentIn(token, '2025-06', moved.body.position)).toBe('0.00');
    expect(await spentIn(token, '2025-07', moved.body.position)).toBe('15.00');
    const read = await api('GET', `/api/transactions/${id}?after=${moved.body.position}`, { token });
    expect(read.body).toMatchObject({ id, date: '2025-07-05', amount: '15.00', status: 'recorded' });

    // The log: voided in June, recorded in July, the record caused by the void.
    const store = new PostgresEventStore(pool);
    const june = await store.readStream(`budget-${userId}-2025-06`);
    const july = await store.readStream(`budget-${userId}-2025-07`);
    const voidEvent = june.find((e) => e.type === 'ExpenseVoided');
    const recordEvent = july.find((e) => e.type === 'ExpenseRecorded');
    expect(voidEvent?.data.transactionId).toBe(id);
    expect(recordEvent?.data.transactionId).toBe(id);
    expect(recordEvent?.metadata.causationId).toBe(voidEvent?.id);
    expect(recordEvent?.metadata.correlationId).toBe(voidEvent?.metadata.correlationId);

    const voided = await api('DELETE', `/api/transactions/${id}`, {
      token,
      headers: { 'daybook-after': moved.body.position },
    });
    expect(voided.status).toBe(204);
    const position = voided.headers.get('daybook-position') as string;
    expect(position).toMatch(/^\d+\.\d+$/);
    expect(await spentIn(token, '2025-07', position)).toBe('0.00');
    const gone = await api('GET', `/api/transactions/${id}?after=${position}`, { token });
    expect(gone.body.status).toBe('voided');
    // Voiding again changes nothing; amending a voided expense is a conflict.
    expect((await api('DELETE', `/api/transactions/${id}`, { token })).status).toBe(204);
    const late = await api('PUT', `/api/transactions/${id}`, { token, body: { amount: '1.00' } });
    expect(late.status).toBe(409);
  });

  it("answers 404 for another user's transaction, and changes nothing", async () => {
    const owner = await registerUser(api);
    const other = await registerUser(api);
    await plan(owner.token, '2025-06', [{ category: 'food', amount: '600.00' }]);
    await plan(other.token, '2025-06', [{ category: 'food', amount: '600.00' }]);
    const recorded = await post(owner.token, { amount: '9.00', category: 'food', date: '2025-06-02' });
    const id = recorded.body.id as string;
    const headers = { 'daybook-after': recorded.body.position };
    const put = await api('PUT', `/api/transactions/${id}`, {
      token: other.token,
      headers,
      body: { amount: '1.00' },
    });
    expect(put.status).toBe(404);
    expect(put.body.code).toBe('transaction-not-found');
    const del = await api('DELETE', `/api/transactions/${id}`, { token: other.token, headers });
    expect(del.status).toBe(404);
    const mine = await api('GET', `/api/transactions/${id}`, { token: owner.token, headers });
    expect(mine.body).toMatchObject({ amount: '9.00', status: 'recorded' });
    expect(
      (await api('PUT', `/api/transactions/${randomUUID()}`, { token: owner.token, body: {} })).status,
    ).toBe(404);
  });
});

describe('POST /api/transactions/bulk', () => {
  it('records all-or-nothing per month: a month with a bad expense is rejected whole, the others land', async () => {
    const { token } = await registerUser(api);
    await plan(token, '2025-06', [{ category: 'food', amount: '600.00' }]);
    await plan(token, '2025-07', [{ category: 'food', amount: '620.00' }]);
    const res = await api('POST', '/api/transactions/bulk', {
      token,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        transactions: [
          { amount: '10.00', category: 'food', date: '2025-06-01', merchant: 'A' },
          { amount: '11.00', category: 'food', date: '2025-07-01', merchant: 'B' },
          { amount: '12.00', category: 'food', date: '2025-06-02', merchant: 'C' },
          { amount: '0.00', category: 'food', date: '2025-07-02', merchant: 'D' },
          { amount: '14.00', category: 'food', date: '2025-08-01', merchant: 'E' },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.recorded).toBe(2);
    expect(res.body.rejected).toBe(1);
    interface MonthView {
      month: string;
      status: string;
      error?: Record<string, unknown>;
      transactions: { index: number }[];
    }
    const byMonth = Object.fromEntries((res.body.months as MonthView[]).map((m) => [m.month, m])) as Record<
      string,
      MonthView
    >;
    expect(byMonth['2025-06']?.status).toBe('recorded');
    expect(byMonth['2025-06']?.transactions.map((t) => t.index)).toEqual([0, 2]);
    expect(byMonth['2025-07']).toMatchObject({
      status: 'rejected',
      error: { type: '/problems/invalid-amount', status: 422, index: 3 },
    });
    expect(byMonth['2025-07']?.transactions.map((t) => t.index)).toEqual([1, 3]);
    // A month without a plan takes the expense and gets July's plan (the user's default preference).
    expect(byMonth['2025-08']).toMatchObject({ status: 'recorded' });

    expect(await spentIn(token, '2025-06', res.body.position)).toBe('22.00');
    expect(await spentIn(token, '2025-07', res.body.position)).toBe('0.00');
    const list = await api('GET', `/api/transactions?after=${res.body.position}`, { token });
    expect(list.body.items.map((t: { merchant: string }) => t.merchant).sort()).toEqual(['A', 'C', 'E']);

    // Nothing recorded at all: 422 with the same per-month report.
    const none = await api('POST', '/api/transactions/bulk', {
      token,
      body: { transactions: [{ amount: '0.00', category: 'food', date: '2025-09-01' }] },
    });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('bulk-rejected');
    expect(none.body.months[0].status).toBe('rejected');
  });
});

describe('POST /api/expense/track', () => {
  it("records today's expense, categorized by the tiers when it names no category (keywords here: no model configured)", async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    const month = today.slice(0, 7);
    const newcomer = await registerUser(api);
    const noPlan = await api('POST', '/api/expense/track', {
      token: newcomer.token,
      body: { amount: '3.00' },
    });
    expect(noPlan.status).toBe(201);
    expect(noPlan.body).toMatchObject({ category: 'other', categorizedBy: 'default', date: today });

    const { token } = await registerUser(api);
    await plan(token, month, [
      { category: 'rent', amount: '900.00', kind: 'fixed', dueDay: 1 },
      { category: 'groceries', amount: '400.00' },
      { category: 'fun', amount: '100.00' },
    ]);
    const key = randomUUID();
    const tracked = await api('POST', '/api/expense/track', {
      token,
      headers: { 'idempotency-key': key },
      body: { amount: '3.00', merchant: 'Corner Cafe' },
    });
    expect(tracked.status).toBe(201);
    expect(tracked.body).toMatchObject({
      amount: '3.00',
      category: 'food',
      categorizedBy: 'keywords',
      date: today,
      merchant: 'Corner Cafe',
    });
    const again = await api('POST', '/api/expense/track', {
      token,
      headers: { 'idempotency-key': key },
      body: { amount: '3.00', merchant: 'Corner Cafe' },
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(tracked.body);
    const chosen = await api('POST', '/api/expense/track', {
      token,
      body: { amount: '1.00', category: 'fun' },
    });
    expect(chosen.body.category).toBe('fun');
    expect(chosen.body.categorizedBy).toBeUndefined();
  });
});

describe('POST /api/transactions/import', () => {
  const bankMapping = {
    date: 'Buchungstag',
    amount: 'Betrag (EUR)',
    merchant: 'Empfänger',
    description: 'Verwendungszweck',
    defaultCategory: 'food',
    dateFormat: 'DD/MM/YYYY',
    decimalSeparator: ',',
    negativeIsExpense: true,
  };

  it('imports a small bank CSV (DD/MM/YYYY, comma decimals, own header) at once; a re-upload changes nothing', async () => {
    const { token } = await registerUser(api, { currency: 'EUR', income: '5000.00' });
    await plan(token, '2025-06', [{ category: 'food', amount: '3000.00' }]);
    const csv = [
      'Buchungstag;Empfänger;Verwendungszweck;Betrag (EUR)',
      '03/06/2025;"Rewe; Filiale 12";Einkauf;-12,50',
      '04/06/2025;Bäckerei Müller;Brötchen;-3,05',
      '15/06/2025;Möbelhaus;"Sofa, grau";-1.020,00',
    ].join('\r\n');
    const first = await importCsv(token, csv, bankMapping);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'done',
      progress: { rows: 3, processed: 3, imported: 3, unchanged: 0, rejected: 0 },
      errors: [],
    });
    const list = await api('GET', `/api/transactions?after=${first.body.position}`, { token });
    const items = list.body.items as {
      date: string;
      amount: string;
      merchant: string;
      description: string;
    }[];
    expect(items.map((t) => [t.date, t.amount, t.merchant, t.description])).toEqual([
      ['2025-06-15', '1020.00', 'Möbelhaus', 'Sofa, grau'],
      ['2025-06-04', '3.05', 'Bäckerei Müller', 'Brötchen'],
      ['2025-06-03', '12.50', 'Rewe; Filiale 12', 'Einkauf'],
    ]);
    expect(list.body.items.every((t: { source: string }) => t.source === 'import')).toBe(true);

    const again = await importCsv(token, csv, bankMapping);
    expect(again.status).toBe(200);
    expect(again.body.progress).toMatchObject({ rows: 3, imported: 0, unchanged: 3, rejected: 0 });
    expect(await spentIn(token, '2025-06', first.body.position)).toBe('1035.55');

    const missing = await importCsv(token, csv, { ...bankMapping, amount: 'Amount' });
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('invalid-mapping');
  });

  it('runs a 500-row file as a task with progress and row errors; a re-upload imports nothing new', async () => {
    const owner = await registerUser(api, { income: '50000.00' });
    const other = await registerUser(api);
    await plan(owner.token, '2025-09', [{ category: 'food', amount: '30000.00' }]);
    const lines = ['Date,Amount,Payee,Category'];
    for (let i = 1; i <= 500; i++) {
      const day = String((i % 30) + 1).padStart(2, '0');
      if (i === 100) lines.push(`2025-09-31,1.00,Bad date,food`);
      else if (i === 200) lines.push(`2025-09-${day},abc,Bad amount,food`);
      else lines.push(`2025-09-${day},1.00,Shop ${i},Food`);
    }
    const csv = lines.join('\n');
    const mapping = { date: 'Date', amount: 'Amount', merchant: 'Payee', category: 'Category' };
    const queued = await importCsv(owner.token, csv, mapping);
    expect(queued.status).toBe(202);
    const location = queued.headers.get('location') as string;
    expect(location).toBe(`/api/tasks/${queued.body.taskId}`);

    expect((await api('GET', location, { token: other.token })).status).toBe(404);
    const done = await waitForTask(owner.token, location);
    expect(done.body).toMatchObject({
      id: queued.body.taskId,
      status: 'done',
      progress: { rows: 500, processed: 500, imported: 498, unchanged: 0, rejected: 2 },
    });
    expect(done.body.errors.map((e: { row: number }) => e.row)).toEqual([101, 201]);
    expect(done.body.errors[0].message).toContain('date');
    expect(done.body.errors[1].message).toContain('amount');
    expect(await spentIn(owner.token, '2025-09', done.body.position)).toBe('498.00');

    const reupload = await importCsv(owner.token, csv, mapping);
    expect(reupload.status).toBe(202);
    const redone = await waitForTask(owner.token, reupload.headers.get('location') as string);
    expect(redone.body.progress).toMatchObject({ rows: 500, imported: 0, unchanged: 498, rejected: 2 });
    expect(await spentIn(owner.token, '2025-09', done.body.position)).toBe('498.00');
    expect((await api('GET', `/api/tasks/${randomUUID()}`, { token: owner.token })).status).toBe(404);
  });
});
