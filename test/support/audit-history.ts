import { randomUUID } from 'node:crypto';
import { createAuditUseCases } from '../../src/application/audit/audit-use-cases.js';
import { commandHandler } from '../../src/application/command-handler.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import type { AuditLog } from '../../src/application/ports/audit-log.port.js';
import type { EventStore } from '../../src/application/ports/event-store.port.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import { budgetMonthStream } from '../../src/domain/budget-month/stream-name.js';
import type { YearMonth } from '../../src/domain/shared/local-date.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { userDecider } from '../../src/domain/user/user.js';
import { InMemorySubjectKeyStore } from '../../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { cat, day, flexible, USD } from './budget-fixtures.js';

export const JUNE = '2025-06' as YearMonth;

/**
 * A registered user with a June 2025 plan (food 30.00 = 1.00 a day, fun 15.00) and two food expenses on
 * June 3rd, each decided at a known instant (occurredAt): registered 08:00, planned 09:00, 0.40 at 10:00
 * and 0.30 at 12:00 (UTC, June 1st for the first two). Four events in two streams. With `merchant`, the
 * second expense names it (a personal field).
 */
export async function auditHistory(
  store: EventStore,
  auditLog: AuditLog,
  options: { merchant?: string } = {},
) {
  let now = new Date('2025-06-01T08:00:00.000Z');
  const clock = { now: () => now };
  const deps = { store, clock, ids: randomIds };
  const users = commandHandler(deps, userDecider, userCodec);
  const budgets = commandHandler(deps, budgetMonthDecider, budgetMonthCodec);
  const userId = randomUUID();
  const ctx = { correlationId: `test-${userId}`, actor: userId };
  await users.handle(
    userStream(userId),
    {
      type: 'RegisterUser',
      data: {
        userId,
        email: `${userId}@example.com`,
        country: 'US',
        timezone: 'Europe/Berlin',
        currency: USD,
        income: 100_000n,
        now: now.toISOString(),
      },
    },
    ctx,
  );
  const month = budgetMonthStream(userId, JUNE);
  now = new Date('2025-06-01T09:00:00.000Z');
  await budgets.handle(
    month,
    {
      type: 'PlanMonth',
      data: {
        userId,
        month: JUNE,
        currency: USD,
        income: 100_000n,
        categories: [flexible('food', 3000n), flexible('fun', 1500n)],
        now: now.toISOString(),
      },
    },
    ctx,
  );
  const expense = (id: string, amount: bigint, when: string, merchant?: string) => {
    now = new Date(when);
    return budgets.handle(
      month,
      {
        type: 'RecordExpense',
        data: {
          transactionId: id,
          day: day('2025-06-03'),
          category: cat('food'),
          amount,
          currency: USD,
          source: 'manual',
          ...(merchant ? { merchant } : {}),
          now: when,
        },
      },
      ctx,
    );
  };
  await expense(randomUUID(), 40n, '2025-06-03T10:00:00.000Z');
  await expense(randomUUID(), 30n, '2025-06-03T12:00:00.000Z', options.merchant);
  const audit = createAuditUseCases({
    store,
    auditLog,
    clock,
    ids: randomIds,
    subjectKeys: new InMemorySubjectKeyStore(),
  });
  return { userId, month, userStream: userStream(userId), audit };
}
