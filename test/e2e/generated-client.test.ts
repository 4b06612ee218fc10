import { readFileSync } from 'node:fs';
import createClient, { type Middleware } from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import type { paths } from '../client/daybook-api.js';
import { generatedTypes, TYPES_FILE } from '../client/generate.js';
import { contract } from '../fuzz/contract.js';
import { startTestApp } from '../support/app.js';

const { url } = await startTestApp();

/** Every response the generated client gets is checked against the document too. */
const conforms: Middleware = {
  async onResponse({ request, response }) {
    const checker = contract();
    const path = new URL(request.url).pathname;
    const operation = checker.find(request.method, path);
    if (!operation) throw new Error(`${request.method} ${path} is not in the document`);
    const text = await response.clone().text();
    const contentType = response.headers.get('content-type');
    const body = contentType?.includes('json') ? JSON.parse(text) : text;
    const problem = checker.check(operation, { status: response.status, contentType, body });
    if (problem) throw new Error(`response differs from /openapi.json: ${problem}`);
    return response;
  },
};

const client = () => {
  const c = createClient<paths>({ baseUrl: url });
  c.use(conforms);
  return c;
};

describe('a client generated from /openapi.json', () => {
  it('is made from the served document: /openapi.json is what npm run check lints', async () => {
    const served = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string };
    expect(served).toEqual(contract().doc);
    expect(served.openapi).toBe('3.1.0');
  });

  it('is current: test/client/daybook-api.ts is what openapi-typescript makes of the document', async () => {
    expect(readFileSync(TYPES_FILE, 'utf8'), 'run: npx tsx test/client/generate.ts').toBe(
      await generatedTypes(),
    );
  });

  it('registers, plans, records, reads with an ETag, and is refused a stale If-Match (412)', async () => {
    const api = client();
    const registered = await api.POST('/api/auth/register', {
      body: {
        email: `client-${Date.now()}@example.com`,
        password: 'correct horse battery',
        income: '3000.00',
        currency: 'USD',
        country: 'US',
        timezone: 'Europe/Berlin',
      },
    });
    expect(registered.response.status).toBe(201);
    const auth = { authorization: `Bearer ${registered.data?.accessToken}` };

    const planned = await api.PUT('/api/budget/plan/{month}', {
      params: { path: { month: '2025-06' } },
      headers: auth,
      body: { categories: [{ category: 'food', amount: '600.00' }] },
    });
    expect(planned.response.status).toBe(201);

    const recorded = await api.POST('/api/transactions', {
      headers: auth,
      body: { amount: '12.50', category: 'food', date: '2025-06-03', merchant: 'Bakery' },
    });
    expect(recorded.response.status).toBe(201);
    const id = recorded.data?.id as string;

    // Read your own write: the 201 is visible at once, with its version.
    const read = await api.GET('/api/transactions/{id}', { params: { path: { id } }, headers: auth });
    expect(read.response.status).toBe(200);
    expect(read.data).toMatchObject({ id, amount: '12.50', merchant: 'Bakery' });
    const etag = read.response.headers.get('etag') as string;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const amended = await api.PUT('/api/transactions/{id}', {
      params: { path: { id } },
      headers: { ...auth, 'if-match': etag },
      body: { amount: '13.00' },
    });
    expect(amended.response.status).toBe(200);
    expect(amended.data?.amount).toBe('13.00');

    // The old ETag no longer names the expense: both PUT and DELETE are refused, nothing changes.
    const stale = await api.PUT('/api/transactions/{id}', {
      params: { path: { id } },
      headers: { ...auth, 'if-match': etag },
      body: { amount: '1.00' },
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error?.code).toBe('precondition-failed');
    const staleDelete = await api.DELETE('/api/transactions/{id}', {
      params: { path: { id } },
      headers: { ...auth, 'if-match': etag },
    });
    expect(staleDelete.response.status).toBe(412);

    const current = await api.GET('/api/transactions/{id}', { params: { path: { id } }, headers: auth });
    expect(current.data?.amount).toBe('13.00');
    const fresh = current.response.headers.get('etag') as string;
    expect(fresh).not.toBe(etag);
    const voided = await api.DELETE('/api/transactions/{id}', {
      params: { path: { id } },
      headers: { ...auth, 'if-match': fresh },
    });
    expect(voided.response.status).toBe(204);
  });

  it('gets a login with a NUL in the email refused as a 400 naming the field, not a 500', async () => {
    const login = await client().POST('/api/auth/login', {
      body: { email: 'a\u0000@example.com', password: 'correct horse battery' },
    });
    expect(login.response.status).toBe(400);
    expect(login.error?.errors?.[0]?.field).toBe('body.email');
  });
});
