import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { exportLines, exportLog } from '../../src/application/audit/export-import.js';
import { verifyChains } from '../../src/application/audit/verify-chains.js';
import {
  comparePositions,
  type JsonObject,
  type JsonValue,
  type NewEvent,
} from '../../src/application/ports/event-store.port.js';
import { PostgresAuditLog } from '../../src/infrastructure/audit/postgres-audit-log.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { numRuns } from '../support/fast-check.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead, until } from '../support/settled.js';

/**
 * The compact event log (migration 013) stores the fixed metadata in columns and the rest as jsonb:
 * whatever is appended must read back exactly as the JSON form (jsonb) gave it back before, byte for
 * byte once serialized, through the store and through the `events` view, and its chain must verify.
 */
const db = await testDatabase();
const store = new PostgresEventStore(db.pool);
const auditLog = new PostgresAuditLog(db.pool);
afterAll(() => store.close());

/** What PostgreSQL's jsonb gives back for a value: the JSON form's answer. */
async function viaJsonb(value: JsonValue): Promise<JsonValue> {
  const { rows } = await db.pool.query<{ v: JsonValue }>('SELECT $1::jsonb AS v', [JSON.stringify(value)]);
  return rows[0]?.v as JsonValue;
}

/** JSON text without the NUL character, which jsonb refuses (it always did). */
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\u0000'));
const json: fc.Arbitrary<JsonValue> = fc
  .jsonValue({ maxDepth: 2 })
  .filter((v) => !JSON.stringify(v).includes('\\u0000')) as fc.Arbitrary<JsonValue>;
const uuid = fc.uuid().map((u) => u.toLowerCase());
const instant = fc
  .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** A fixed member as the application writes it, or something odd that no column can hold. */
const member = (usual: fc.Arbitrary<JsonValue>) =>
  fc.oneof(
    { weight: 3, arbitrary: usual },
    {
      weight: 1,
      arbitrary: fc.oneof(
        text,
        json,
        uuid.map((u) => u.toUpperCase()),
        fc.constant(''),
      ),
    },
  );

const metadata = fc.record(
  {
    correlationId: member(uuid),
    causationId: member(uuid),
    actor: member(fc.oneof(uuid, fc.constant('system:rebalance'))),
    occurredAt: member(
      fc.oneof(instant, fc.constant('2024-02-30T00:00:00.000Z'), fc.constant('2024-01-01T00:00:00Z')),
    ),
    schemaVersion: member(
      fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
    ),
    extra: json,
    zz: text,
  },
  { requiredKeys: ['correlationId', 'occurredAt', 'schemaVersion'] },
);
const data = fc.dictionary(text, json, { maxKeys: 6 });

describe('the compact event log', () => {
  it('reads every appended event back exactly as the JSON form did, and its chain verifies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ type: text.filter((t) => t.length > 0), data, metadata }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (drafts) => {
          const stream = `prop-${randomUUID()}`;
          const events: NewEvent[] = drafts.map((d) => ({
            id: randomUUID(),
            type: d.type,
            data: d.data as JsonObject,
            metadata: d.metadata as unknown as NewEvent['metadata'],
          }));
          await store.append(stream, events, 'no-stream');
          const read = await store.readStream(stream);
          const { rows: view } = await db.pool.query<{ metadata: JsonValue; data: JsonValue }>(
            'SELECT metadata, data FROM events WHERE stream_name = $1 ORDER BY stream_revision',
            [stream],
          );
          for (const [i, event] of events.entries()) {
            const got = read[i];
            expect(got?.id).toBe(event.id);
            expect(JSON.stringify(got?.data)).toBe(JSON.stringify(await viaJsonb(event.data)));
            // The metadata as appended, with the chain's two members, as jsonb would have kept it.
            const stored = { ...event.metadata, prevHash: got?.metadata.prevHash, hash: got?.metadata.hash };
            const expected = JSON.stringify(await viaJsonb(stored as JsonValue));
            expect(JSON.stringify(got?.metadata)).toBe(expected);
            expect(JSON.stringify(view[i]?.metadata)).toBe(expected);
          }
          const report = await verifyChains({ store, auditLog })({});
          expect(report.ok).toBe(true);
        },
      ),
      { numRuns: Math.min(numRuns, 150) },
    );
  });

  it('exports, through the COPY scan, the very lines JSON.stringify makes of every exported event', async () => {
    const deps = { store, auditLog, clock: { now: () => new Date() }, ids: { uuid: () => randomUUID() } };
    // The export reads below the cluster-wide read horizon, which another file's open transaction can
    // hold back a while: wait until it has passed every event committed so far, before each export.
    const horizonPassed = async (what: string) => {
      const committed = await committedHead(db.pool);
      await until(
        () => store.headPosition(),
        (head) => comparePositions(head, committed) >= 0,
        what,
      );
    };
    await horizonPassed("the read horizon past the earlier tests' events");
    const objects: string[] = [];
    for await (const event of exportLog(deps)()) objects.push(JSON.stringify(event));
    await horizonPassed('the read horizon past the DataExported event');
    let text = '';
    for await (const chunk of exportLines(deps)()) text += Buffer.from(chunk.text).toString();
    const lines = text.split('\n').slice(0, -1);
    // The second export also holds the DataExported event the first one recorded.
    expect(lines.slice(0, objects.length)).toEqual(objects);
    expect(lines.length).toBe(objects.length + 1);
  });
});
