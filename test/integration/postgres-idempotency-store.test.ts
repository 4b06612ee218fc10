import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostgresIdempotencyStore } from '../../src/infrastructure/http/postgres-idempotency-store.js';
import { testDatabase } from '../support/postgres.js';

const db = await testDatabase();
const response = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":"x"}' };

describe('PostgresIdempotencyStore', () => {
  it('lets exactly one of 20 concurrent claims win; the others see it in flight, then done', async () => {
    const store = new PostgresIdempotencyStore(db.pool);
    const user = randomUUID();
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim(user, 'k', 'fp')));
    const won = claims.filter((c) => c.claimed);
    expect(won).toHaveLength(1);
    for (const c of claims)
      if (!c.claimed) expect(c.existing).toEqual({ state: 'in-flight', fingerprint: 'fp' });
    const token = (won[0] as { token: string }).token;
    // Only the owner's token completes it.
    await store.complete(user, 'k', randomUUID(), response);
    expect(await store.claim(user, 'k', 'fp')).toMatchObject({
      claimed: false,
      existing: { state: 'in-flight' },
    });
    await store.complete(user, 'k', token, response);
    expect(await store.claim(user, 'k', 'fp')).toEqual({
      claimed: false,
      existing: { state: 'done', fingerprint: 'fp', response },
    });
    // Keys are per user.
    expect((await store.claim(randomUUID(), 'k', 'fp')).claimed).toBe(true);
  });

  it('releases a claim so a retry runs again, and lets a claim whose lease ran out be taken over', async () => {
    const store = new PostgresIdempotencyStore(db.pool);
    const user = randomUUID();
    const first = await store.claim(user, 'k', 'fp');
    if (!first.claimed) throw new Error('not claimed');
    await store.release(user, 'k', first.token);
    const second = await store.claim(user, 'k', 'fp');
    expect(second.claimed).toBe(true);

    const impatient = new PostgresIdempotencyStore(db.pool, { leaseSeconds: 0 });
    const takeover = await impatient.claim(user, 'k', 'fp');
    expect(takeover.claimed).toBe(true);
    // The first owner's late answer is not stored over the new owner's claim.
    if (second.claimed) await store.complete(user, 'k', second.token, response);
    expect(await store.claim(user, 'k', 'fp')).toMatchObject({ existing: { state: 'in-flight' } });
  });

  it('forgets keys after the retention period', async () => {
    const store = new PostgresIdempotencyStore(db.pool, { retentionSeconds: 0 });
    const user = randomUUID();
    const first = await store.claim(user, 'k', 'fp');
    if (!first.claimed) throw new Error('not claimed');
    await store.complete(user, 'k', first.token, response);
    expect((await store.claim(user, 'k', 'other')).claimed).toBe(true);
  });
});
