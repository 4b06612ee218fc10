import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventHash } from '../../src/application/event-store/hash-chain.js';
import {
  comparePositions,
  type NewEvent,
  WrongExpectedVersionError,
} from '../../src/application/ports/event-store.port.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres-event-store.js';
import { testDatabase } from '../support/postgres.js';
import { committedHead, until } from '../support/settled.js';

const db = await testDatabase();
const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'Noted',
  data: { n },
  metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
});

/** Two stores on one database: two processes, each remembering the heads it wrote. */
describe('one-statement appends at a remembered head', () => {
  it('refuses an append at a head another process has moved, and keeps one intact chain', async () => {
    const a = new PostgresEventStore(db.pool);
    const b = new PostgresEventStore(db.pool);
    const stream = `noted-${randomUUID()}`;
    await a.append(stream, [event(0)], 'no-stream');
    await a.append(stream, [event(1), event(2)], 0n);
    await b.append(stream, [event(3)], 2n);
    await expect(a.append(stream, [event(4)], 2n)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const next = await a.append(stream, [event(5)], 3n);
    expect(next.nextExpectedVersion).toBe(4n);
    await a.append(stream, [event(6)], 4n);
    const recorded = await b.readStream(stream);
    expect(recorded.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 5, 6]);
    expect(recorded.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    let previous = '';
    for (const e of recorded) {
      expect(e.metadata.prevHash).toBe(previous);
      expect(e.metadata.hash).toBe(eventHash(stream, e.revision, previous, e.id, e.type, e.data, e.metadata));
      previous = e.metadata.hash as string;
    }
    // $all is read below the cluster-wide horizon: wait until another database's transaction lets it pass.
    const written = await committedHead(db.pool);
    await until(
      () => a.headPosition(),
      (readable) => comparePositions(readable, written) >= 0,
      '$all readable',
    );
    const all = await a.readAll({ maxCount: 100 });
    expect(all.filter((e) => e.streamName === stream).map((e) => e.data.n)).toEqual([0, 1, 2, 3, 5, 6]);
  });
});
