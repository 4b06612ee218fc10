import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ClaimResult,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../../src/application/ports/idempotency-store.port.js';
import { canonicalJson, idempotency } from '../../src/interfaces/http/idempotency.js';
import { errorHandler } from '../../src/interfaces/http/problem.js';

/** The port's semantics in memory: enough to drive the middleware. */
class MemoryIdempotencyStore implements IdempotencyStore {
  readonly rows = new Map<string, IdempotencyRecord & { token: string }>();
  async claim(userId: string, key: string, fingerprint: string): Promise<ClaimResult> {
    const existing = this.rows.get(`${userId}/${key}`);
    if (existing) return { claimed: false, existing };
    const token = randomUUID();
    this.rows.set(`${userId}/${key}`, { state: 'in-flight', fingerprint, token });
    return { claimed: true, token };
  }
  async complete(userId: string, key: string, token: string, response: StoredResponse) {
    const row = this.rows.get(`${userId}/${key}`);
    if (row?.token === token)
      this.rows.set(`${userId}/${key}`, { state: 'done', fingerprint: row.fingerprint, token, response });
  }
  async release(userId: string, key: string, token: string) {
    if (this.rows.get(`${userId}/${key}`)?.token === token) this.rows.delete(`${userId}/${key}`);
  }
}

const store = new MemoryIdempotencyStore();
let calls = 0;
const app = express();
app.use(express.json());
app.use((req, _res, next) => {
  Object.assign(req, {
    id: 'test',
    log: { error: () => undefined, warn: () => undefined },
    auth: { userId: 'u1', scopes: [] },
  });
  next();
});
app.post('/flaky', idempotency(store), (_req, res) => {
  calls += 1;
  if (calls === 1) throw new Error('boom');
  res.status(201).location('/things/1').json({ calls });
});
app.post('/slow', idempotency(store), async (_req, res) => {
  await new Promise((r) => setTimeout(r, 200));
  res.status(201).json({ ok: true });
});
app.use(errorHandler);
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
afterAll(() => new Promise((r) => server.close(r)));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const send = async (path: string, key: string, body: unknown) => {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};

describe('idempotency middleware', () => {
  it('releases the key after a 5xx, so the retry runs; then replays the stored response', async () => {
    const first = await send('/flaky', 'k1', { a: 1 });
    expect(first.status).toBe(500);
    const second = await send('/flaky', 'k1', { a: 1 });
    expect(second.status).toBe(201);
    expect(second.body).toEqual({ calls: 2 });
    const third = await send('/flaky', 'k1', { a: 1 });
    expect(third.status).toBe(201);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(third.headers.get('location')).toBe('/things/1');
    expect(third.body).toEqual({ calls: 2 });
    expect(calls).toBe(2);
    expect((await send('/flaky', 'k1', { a: 2 })).status).toBe(422);
    // Same key on another path is another request.
    expect((await send('/slow', 'k1', { a: 1 })).body.code).toBe('idempotency-key-reused');
  });

  it('answers 409 while the first request is in flight', async () => {
    const [a, b] = await Promise.all([
      send('/slow', 'k2', {}),
      new Promise((r) => setTimeout(r, 50)).then(() => send('/slow', 'k2', {})),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(409);
    expect(b.headers.get('retry-after')).toBe('1');
    expect(b.body.type).toBe('/problems/idempotency-key-in-flight');
  });

  it('fingerprints bodies canonically', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: null })).toBe('{"a":null,"b":[1,{"c":3,"d":2}]}');
  });
});
