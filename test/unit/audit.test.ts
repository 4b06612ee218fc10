import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isInstant, parseInstant } from '../../src/application/audit/as-of.query.js';
import { createAuditUseCases } from '../../src/application/audit/audit-use-cases.js';
import type { ExportedEvent } from '../../src/application/audit/export-import.js';
import { ImportError } from '../../src/application/audit/log-importer.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { ownsStream, streamOwner } from '../../src/application/ports/audit-log.port.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { BudgetMonthState } from '../../src/domain/budget-month/state.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { EventStoreAuditLog } from '../../src/infrastructure/audit/event-store-audit-log.js';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory-event-store.js';
import { InMemorySubjectKeyStore } from '../../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';
import { exportCommand } from '../../src/interfaces/cli/audit.js';
import { auditHistory, JUNE } from '../support/audit-history.js';

async function history() {
  const store = new InMemoryEventStore();
  const auditLog = new EventStoreAuditLog(store);
  return { store, auditLog, ...(await auditHistory(store, auditLog)) };
}

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};

async function* linesOf(events: readonly ExportedEvent[]): AsyncIterable<string> {
  for (const e of events) yield JSON.stringify(e);
}

describe('as-of timestamps', () => {
  it('accepts ISO 8601 timestamps with a zone and nothing else', () => {
    for (const ok of [
      '2025-06-03T11:00:00Z',
      '2025-06-03T11:00:00.5Z',
      '2025-06-03T11:00:00.123456789+02:00',
      '2025-06-03T11:00-05:30',
      '2024-02-29T00:00:00z',
    ]) {
      expect(isInstant(ok), ok).toBe(true);
    }
    for (const bad of [
      '2025-06-03',
      '2025-06-03T11:00:00',
      '2025-02-30T11:00:00Z',
      '2025-06-03T24:00:00Z',
      '2025-06-03T11:00:60Z',
      '2025-06-03 11:00:00Z',
      '1749000000',
      'yesterday',
      '2025-06-03T11:00:00+0200',
    ]) {
      expect(isInstant(bad), bad).toBe(false);
    }
    expect(() => parseInstant('nope')).toThrow(DomainError);
    expect(parseInstant('2025-06-03T13:00:00.1239+02:00').toISOString()).toBe('2025-06-03T11:00:00.123Z');
  });
});

describe('as-of queries', () => {
  it('answer from the log prefix recorded at or before the instant', async () => {
    const { audit, userId, store, month } = await history();
    const between = '2025-06-03T11:00:00.000Z';
    const daily = await audit.dailyBudgetAsOf({ userId, date: '2025-06-03', asOf: between });
    expect(daily.planned).toBe(true);
    expect(daily.categories.find((c) => c.category === 'food')).toEqual({
      category: 'food',
      allocated: 100n,
      spent: 40n,
      remaining: 60n,
    });

    // The same as folding the prefix by hand.
    const prefix = (await store.readStream(month)).filter(
      (e) => Date.parse(e.metadata.occurredAt) <= Date.parse(between),
    );
    const folded = prefix
      .map((e) => budgetMonthCodec.decode(e))
      .reduce(budgetMonthDecider.evolve, budgetMonthDecider.initialState()) as Extract<
      BudgetMonthState,
      { status: 'planned' }
    >;
    expect(folded.spent.get('3|food')).toBe(40n);

    // The same instant written in another zone, and the state after the second expense.
    const sameInBerlin = await audit.dailyBudgetAsOf({
      userId,
      date: '2025-06-03',
      asOf: '2025-06-03T13:00:00+02:00',
    });
    expect(sameInBerlin).toEqual(daily);
    const after = await audit.dailyBudgetAsOf({ userId, date: '2025-06-03', asOf: '2025-06-03T12:00:00Z' });
    expect(after.categories.find((c) => c.category === 'food')?.spent).toBe(70n);
    expect(after).not.toEqual(daily);

    const monthly = await audit.monthlyBudgetAsOf({ userId, month: JUNE, asOf: between });
    expect(monthly.total).toEqual({ planned: 4500n, allocated: 4500n, spent: 40n, remaining: 4460n });
    expect(monthly.categories.map((c) => c.category)).toEqual(['food', 'fun']);
  });

  it('shows an unplanned month before the plan, and no user before registration', async () => {
    const { audit, userId } = await history();
    const beforePlan = await audit.monthlyBudgetAsOf({
      userId,
      month: JUNE,
      asOf: '2025-06-01T08:30:00Z',
    });
    expect(beforePlan).toMatchObject({ planned: false, categories: [], currency: 'USD' });
    await expect(
      audit.dailyBudgetAsOf({ userId, date: '2025-06-03', asOf: '2025-05-31T00:00:00Z' }),
    ).rejects.toMatchObject({ code: 'user-not-found' });
    await expect(
      audit.dailyBudgetAsOf({ userId, date: '2025-06-03', asOf: '2025-06-03' }),
    ).rejects.toMatchObject({ code: 'invalid-date', details: { field: 'asOf' } });
  });
});

describe('stream ownership', () => {
  it('reads the user id after the kind', () => {
    const id = randomUUID();
    expect(streamOwner(`user-${id}`)).toBe(id);
    expect(streamOwner(`budget-${id}-2025-06`)).toBe(id);
    expect(streamOwner(`audit-${id.toUpperCase()}`)).toBe(id);
    expect(streamOwner(`user-${id}x`)).toBeUndefined();
    expect(streamOwner('projections')).toBeUndefined();
    expect(ownsStream(id, `budget-${id}-2025-06`)).toBe(true);
    expect(ownsStream(randomUUID(), `budget-${id}-2025-06`)).toBe(false);
  });
});

describe('hash chain verification', () => {
  it('passes an untouched log and stops each stream at its first broken link', async () => {
    const { audit, userId, store, month } = await history();
    const clean = await audit.verifyChains();
    expect(clean).toMatchObject({ ok: true, streams: 2, events: 4, broken: [] });

    const events = await store.readStream(month);
    const altered = events[2]!;
    (altered.data as Record<string, unknown>).amount = '1';
    const report = await audit.verifyChains({ userId });
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({
      stream: month,
      revision: 2n,
      eventId: altered.id,
      reason: 'hash-mismatch',
      actual: altered.metadata.hash,
    });
    expect(report.broken).toHaveLength(1);

    const user = (await store.readStream(userStream(userId)))[0]!;
    (user.metadata as { prevHash: string }).prevHash = 'f'.repeat(64);
    const both = await audit.verifyChains();
    expect(both.brokenStreams).toBe(2);
    expect(both.broken.map((b) => b.reason).sort()).toEqual(['hash-mismatch', 'prev-hash-mismatch']);
  });
});

describe('export and import', () => {
  it('reproduces the log with the same ids, order and hashes', async () => {
    const source = await history();
    const exported = await collect(source.audit.exportLog());
    expect(exported.map((e) => e.type)).toEqual([
      'UserRegistered',
      'BudgetPlanned',
      'ExpenseRecorded',
      'ExpenseRecorded',
    ]);

    const target = new InMemoryEventStore();
    const auditLog = new EventStoreAuditLog(target);
    const audit = createAuditUseCases({
      store: target,
      auditLog,
      clock: { now: () => new Date() },
      ids: randomIds,
      subjectKeys: new InMemorySubjectKeyStore(),
    });
    const result = await audit.importLog(linesOf(exported));
    expect(result).toEqual({ events: 4, streams: 2, moved: 4, skipped: 0, erasedUsers: 1 });
    expect(await collect(audit.exportLog())).toEqual(exported);
    expect((await audit.verifyChains()).ok).toBe(true);
    // One user's export holds their streams only.
    expect(await collect(audit.exportLog({ userId: randomUUID() }))).toEqual([]);

    // Never into a log that has events.
    await expect(audit.importLog(linesOf(exported))).rejects.toThrow(ImportError);
  });

  it('stops at the first altered event, before writing anything', async () => {
    const source = await history();
    const exported = await collect(source.audit.exportLog());
    const tampered = exported.map((e, i) => (i === 2 ? { ...e, data: { ...e.data, amount: '4' } } : e));
    const target = new InMemoryEventStore();
    const audit = createAuditUseCases({
      store: target,
      auditLog: new EventStoreAuditLog(target),
      clock: { now: () => new Date() },
      ids: randomIds,
      subjectKeys: new InMemorySubjectKeyStore(),
    });
    const failure = await audit.importLog(linesOf(tampered)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImportError);
    expect((failure as ImportError).message).toMatch(
      /^line 3: budget-.*@1 .* hashes to [0-9a-f]{64} but the export says/,
    );
    // Nothing was written: events are checked as they are staged, before any is written.
    expect(await target.readStream(source.month)).toHaveLength(0);
    expect(await target.readStream(userStream(source.userId))).toHaveLength(0);
  });

  it('accepts a stream event that overtook an earlier one, and refuses a gap', async () => {
    const source = await history();
    const exported = await collect(source.audit.exportLog());
    const [registered, planned, first, second] = exported as [
      ExportedEvent,
      ExportedEvent,
      ExportedEvent,
      ExportedEvent,
    ];
    const fresh = () => {
      const store = new InMemoryEventStore();
      return createAuditUseCases({
        store,
        auditLog: new EventStoreAuditLog(store),
        clock: { now: () => new Date() },
        ids: randomIds,
        subjectKeys: new InMemorySubjectKeyStore(),
      });
    };
    const swapped = fresh();
    await swapped.importLog(linesOf([registered, first, planned, second]));
    expect((await collect(swapped.exportLog())).map((e) => e.id)).toEqual(
      [registered, planned, first, second].map((e) => e.id),
    );
    await expect(fresh().importLog(linesOf([registered, planned, second]))).rejects.toThrow(
      /budget-.*: revision 1 is missing from the file \(it has revision 2\)/,
    );
  });

  it('writes one JSON line per event to stdout without --out, one user at a time with --user', async () => {
    const source = await history();
    const other = await auditHistory(source.store, source.auditLog);
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (chunk) => {
      text += chunk;
    });
    const out = { log: () => undefined, error: () => undefined };
    expect(await exportCommand(source.audit, ['--user', other.userId], out, sink)).toBe(0);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportedEvent);
    expect(lines.map((l) => [l.stream, l.revision])).toEqual([
      [other.userStream, 0],
      [other.month, 0],
      [other.month, 1],
      [other.month, 2],
    ]);
    expect(lines[2]?.data).toMatchObject({ amount: '40' });
    expect(sink.writableEnded).toBe(false);
    expect(await exportCommand(source.audit, ['--bogus'], out, sink)).toBe(2);
  });
});
