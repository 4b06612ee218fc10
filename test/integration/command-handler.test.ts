import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { commandHandler } from '../../src/application/command-handler.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { PlannedMonth } from '../../src/domain/budget-month/state.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { planned, record } from '../support/budget-fixtures.js';
import { testDatabase } from '../support/postgres.js';

const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
afterAll(() => store.close());
const clock = { now: () => new Date('2025-06-10T12:00:00Z') };

describe('command handling on PostgreSQL', () => {
  it('records every one of 60 concurrent expenses from two processes on one month, each once', async () => {
    const stream = `budget-${randomUUID()}-2025-06`;
    // Two handlers stand for two API processes: each queues its own commands, they race each other.
    // Thirty commands in a row from each side is far more contention than one user's month sees, so the
    // bound on attempts is raised: under a loaded CI machine a loser can lose ten rounds in a row.
    const a = commandHandler({ store, clock, ids: randomIds }, budgetMonthDecider, budgetMonthCodec);
    const b = commandHandler({ store, clock, ids: randomIds }, budgetMonthDecider, budgetMonthCodec);
    const plan = planned([{ category: 'food' as never, amount: 60000n, kind: 'flexible' }]);
    await store.append(stream, [
      {
        id: randomUUID(),
        ...budgetMonthCodec.encode(plan),
        metadata: { correlationId: 'c', occurredAt: clock.now().toISOString(), schemaVersion: 1 },
      },
    ]);
    const context = { correlationId: randomUUID() };
    const commands = Array.from({ length: 60 }, (_, i) =>
      record(`t${i}`, '2025-06-05', 'food', BigInt(i + 1)),
    );
    const results = await Promise.all(
      commands.map((c, i) => (i % 2 ? a : b).handle(stream, c, context, { maxAttempts: 30 })),
    );
    expect(results.every((r) => r.events.length > 0)).toBe(true);

    const { state, version } = await a.load(stream);
    const month = state as PlannedMonth;
    expect(month.transactions.size).toBe(60);
    expect([...month.spent.values()].reduce((x, y) => x + y, 0n)).toBe(BigInt((60 * 61) / 2));
    const read = await store.readStream(stream);
    expect(BigInt(read.length - 1)).toBe(version);
    expect(read.every((e) => e.metadata.correlationId === context.correlationId || e.revision === 0n)).toBe(
      true,
    );

    const retried = await Promise.all(commands.slice(0, 10).map((c) => b.handle(stream, c, context)));
    expect(retried.every((r) => r.events.length === 0)).toBe(true);
    expect(await store.readStream(stream)).toHaveLength(read.length);
  });
});
