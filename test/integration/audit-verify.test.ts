import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuditUseCases } from '../../src/application/audit/audit-use-cases.js';
import { ImportError } from '../../src/application/audit/log-importer.js';
import { comparePositions } from '../../src/application/ports/event-store.port.js';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { InMemorySubjectKeyStore } from '../../src/infrastructure/event-store/in-memory-subject-key-store.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { randomIds, systemClock } from '../../src/infrastructure/system/system-clock.js';
import { auditHistory } from '../support/audit-history.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead, until } from '../support/settled.js';

const db = await testDatabase();
// testDatabase drops the database right after pool.end() resolves, which is before idle connections
// have closed: the server's termination notice must not become an uncaught pool error.
db.pool.on('error', () => undefined);
const store = new PostgresEventStore(db.pool);
const auditLog = new PostgresAuditLog(db.pool);
const audit = createAuditUseCases({
  store,
  auditLog,
  clock: systemClock,
  ids: randomIds,
  subjectKeys: new InMemorySubjectKeyStore(),
});

describe('hash chain verification on PostgreSQL', () => {
  it('passes an untouched log and pinpoints one event altered behind the store’s back', async () => {
    const alice = await auditHistory(store, auditLog);
    const bob = await auditHistory(store, auditLog);
    const clean = await audit.verifyChains();
    expect(clean).toMatchObject({ ok: true, streams: 4, events: 8, brokenStreams: 0 });

    const [, , target] = await store.readStream(alice.month);
    await db.pool.query(
      `UPDATE events SET data = jsonb_set(data, '{amount}', '"4000"') WHERE event_id = $1`,
      [target!.id],
    );
    const report = await audit.verifyChains();
    expect(report.ok).toBe(false);
    expect(report.brokenStreams).toBe(1);
    expect(report.firstBroken).toEqual({
      stream: alice.month,
      revision: 2n,
      eventId: target!.id,
      expected: expect.stringMatching(/^[0-9a-f]{64}$/),
      actual: target!.metadata.hash,
      reason: 'hash-mismatch',
    });
    expect(report.firstBroken?.expected).not.toBe(target!.metadata.hash);
    // One user's verification sees only their streams.
    expect((await audit.verifyChains({ userId: bob.userId })).ok).toBe(true);
    expect((await audit.verifyChains({ userId: alice.userId })).firstBroken?.eventId).toBe(target!.id);

    // Putting the value back restores the chain: the hash covers content, not storage details.
    await db.pool.query(
      `UPDATE events SET data = jsonb_set(data, '{amount}', to_jsonb($2::text)) WHERE event_id = $1`,
      [target!.id, target!.data.amount],
    );
    expect((await audit.verifyChains()).ok).toBe(true);
  });

  it('detects an edited prevHash and events removed from the end of a stream', async () => {
    const carol = await auditHistory(store, auditLog);
    const [first, second] = await store.readStream(carol.month);
    await db.pool.query(
      `UPDATE event_log SET prev_hash = decode(repeat('0', 64), 'hex') WHERE event_id = $1`,
      [second!.id],
    );
    expect((await audit.verifyChains({ userId: carol.userId })).firstBroken).toMatchObject({
      stream: carol.month,
      revision: 1n,
      eventId: second!.id,
      reason: 'prev-hash-mismatch',
      expected: first!.metadata.hash,
      actual: '0'.repeat(64),
    });

    const dave = await auditHistory(store, auditLog);
    const events = await store.readStream(dave.month);
    await db.pool.query('DELETE FROM events WHERE event_id = $1', [events[events.length - 1]!.id]);
    expect((await audit.verifyChains({ userId: dave.userId })).firstBroken).toMatchObject({
      stream: dave.month,
      revision: BigInt(events.length - 1),
      eventId: '',
      reason: 'head-mismatch',
    });
  });
});

describe('the PostgreSQL audit reader', () => {
  it("lists one user's events across their streams in global order, filtered, in keyset pages", async () => {
    const erin = await auditHistory(store, auditLog);
    await auditHistory(store, auditLog);
    // Pages read below the cluster-wide read horizon: another file's open transaction can hold it back.
    const committed = await committedHead(db.pool);
    await until(
      () => store.headPosition(),
      (head) => comparePositions(head, committed) >= 0,
      'the read horizon past the histories',
    );
    const all = await auditLog.page({ userId: erin.userId, limit: 100 });
    expect(all.map((e) => e.type)).toEqual([
      'UserRegistered',
      'BudgetPlanned',
      'ExpenseRecorded',
      'ExpenseRecorded',
    ]);
    expect(new Set(all.map((e) => e.streamName))).toEqual(new Set([erin.userStream, erin.month]));

    const paged = [];
    let after: string | undefined;
    for (;;) {
      const page = await auditLog.page({ userId: erin.userId, limit: 3, ...(after ? { after } : {}) });
      paged.push(...page);
      if (page.length < 3) break;
      after = page[page.length - 1]!.position;
    }
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));

    const typed = await auditLog.page({ userId: erin.userId, type: 'ExpenseRecorded', limit: 100 });
    expect(typed).toHaveLength(2);
    const window = await auditLog.page({
      userId: erin.userId,
      from: new Date('2025-06-01T09:00:00Z'),
      to: new Date('2025-06-03T12:00:00Z'),
      limit: 100,
    });
    expect(window.map((e) => e.type)).toEqual(['BudgetPlanned', 'ExpenseRecorded']);
    expect(await auditLog.page({ userId: erin.userId, stream: erin.userStream, limit: 100 })).toHaveLength(1);
    // Naming another user's stream yields nothing.
    const other = await auditHistory(store, auditLog);
    expect(await auditLog.page({ userId: erin.userId, stream: other.month, limit: 100 })).toEqual([]);
    expect(await auditLog.page({ userId: randomUUID(), limit: 100 })).toEqual([]);
  });

  it('refuses to import into a log that has events', async () => {
    await auditHistory(store, auditLog);
    async function* one() {
      yield '{}';
    }
    await expect(audit.importLog(one())).rejects.toThrow(ImportError);
    await expect(audit.importLog(one())).rejects.toThrow(/not empty/);
  });
});
