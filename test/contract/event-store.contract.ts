import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventHash } from '../../src/application/event-store/hash-chain.js';
import {
  comparePositions,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  START,
  WrongExpectedVersionError,
} from '../../src/application/ports/event-store.port.js';

const newEvent = (n: number, extra: Partial<NewEvent['metadata']> = {}): NewEvent => ({
  id: randomUUID(),
  type: n % 2 ? 'ExpenseRecorded' : 'BudgetPlanned',
  data: { n, amount: `${n}00`, nested: { b: [1, 'two', null], a: true } },
  metadata: {
    correlationId: randomUUID(),
    occurredAt: new Date(1_700_000_000_000 + n).toISOString(),
    schemaVersion: 1,
    ...extra,
  },
});
const events = (count: number) => Array.from({ length: count }, (_, i) => newEvent(i));
const streamName = () => `contract-${randomUUID()}`;

/** $all is shared with other tests (and, on EventStoreDB, system streams): look at our streams only. */
const ours = (all: RecordedEvent[], streams: string[]) => all.filter((e) => streams.includes(e.streamName));

/**
 * `$all` after `after`, page by page, until `expected` events of `streams` were seen: a follower reads
 * only below the read horizon, which an open transaction anywhere on the cluster (another test file's)
 * can hold back for a while, so events appended just now may show a little later.
 */
async function readAllAfter(
  store: EventStore,
  after: string,
  streams: string[],
  pageSize: number,
  expected: number,
) {
  const seen: RecordedEvent[] = [];
  let position = after;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await store.readAll({ after: position, maxCount: pageSize });
    if (page.length === 0) {
      if (ours(seen, streams).length >= expected || Date.now() > deadline) return ours(seen, streams);
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    seen.push(...page);
    position = page[page.length - 1]!.position;
  }
}

async function expectWrongVersion(promise: Promise<unknown>, actual: bigint | 'no-stream') {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  expect((error as WrongExpectedVersionError).actual).toBe(actual);
}

/** One behaviour for every adapter: the application relies on nothing that is not asserted here. */
export function eventStoreContract(name: string, open: () => Promise<EventStore>) {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    const get = async () => {
      store ??= await open();
      return store;
    };

    it('appends to a new stream and reads it back in order with data and metadata intact', async () => {
      const s = await get();
      const stream = streamName();
      const written = events(3);
      const result = await s.append(stream, written, 'no-stream');
      expect(result.nextExpectedVersion).toBe(2n);
      const read = await s.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(read.map((e) => e.id)).toEqual(written.map((e) => e.id));
      expect(read.map((e) => e.data)).toEqual(written.map((e) => e.data));
      expect(read.map((e) => e.type)).toEqual(written.map((e) => e.type));
      expect(read[2]!.position).toBe(result.position);
      for (const [i, e] of read.entries()) expect(e.metadata).toMatchObject(written[i]!.metadata);
    });

    it('keeps correlation, causation, actor, occurredAt and schema version in metadata', async () => {
      const s = await get();
      const stream = streamName();
      const event = newEvent(1, { causationId: randomUUID(), actor: 'user-42', schemaVersion: 3 });
      await s.append(stream, [event]);
      const [read] = await s.readStream(stream);
      expect(read!.metadata).toMatchObject(event.metadata);
    });

    it('chains every event of a stream to the one before it by hash', async () => {
      const s = await get();
      const stream = streamName();
      await s.append(stream, events(2), 'no-stream');
      await s.append(stream, events(3), 1n);
      const read = await s.readStream(stream);
      expect(read[0]!.metadata.prevHash).toBe('');
      for (const [i, e] of read.entries()) {
        if (i > 0) expect(e.metadata.prevHash).toBe(read[i - 1]!.metadata.hash);
        expect(e.metadata.hash).toBe(
          eventHash(stream, e.revision, e.metadata.prevHash, e.id, e.type, e.data, e.metadata),
        );
      }
      expect(new Set(read.map((e) => e.metadata.hash)).size).toBe(5);
    });

    it('enforces expected versions: no-stream, stream-exists, exact and any', async () => {
      const s = await get();
      const stream = streamName();
      await expectWrongVersion(s.append(stream, events(1), 'stream-exists'), 'no-stream');
      await expectWrongVersion(s.append(stream, events(1), 0n), 'no-stream');
      await s.append(stream, events(2), 'no-stream');
      await expectWrongVersion(s.append(stream, events(1), 'no-stream'), 1n);
      await expectWrongVersion(s.append(stream, events(1), 0n), 1n);
      await expectWrongVersion(s.append(stream, events(1), 5n), 1n);
      expect((await s.append(stream, events(1), 1n)).nextExpectedVersion).toBe(2n);
      expect((await s.append(stream, events(1), 'stream-exists')).nextExpectedVersion).toBe(3n);
      expect((await s.append(stream, events(1), 'any')).nextExpectedVersion).toBe(4n);
      expect((await s.append(streamName(), events(1), 'any')).nextExpectedVersion).toBe(0n);
      expect(await s.readStream(stream)).toHaveLength(5);
    });

    it('reads a stream backwards, from a revision, and at most maxCount events', async () => {
      const s = await get();
      const stream = streamName();
      await s.append(stream, events(6));
      expect((await s.readStream(stream, { direction: 'backwards' })).map((e) => e.revision)).toEqual([
        5n,
        4n,
        3n,
        2n,
        1n,
        0n,
      ]);
      expect(
        (await s.readStream(stream, { direction: 'backwards', maxCount: 1 })).map((e) => e.revision),
      ).toEqual([5n]);
      expect(
        (await s.readStream(stream, { direction: 'backwards', fromRevision: 3n, maxCount: 2 })).map(
          (e) => e.revision,
        ),
      ).toEqual([3n, 2n]);
      expect((await s.readStream(stream, { fromRevision: 4n })).map((e) => e.revision)).toEqual([4n, 5n]);
      expect((await s.readStream(stream, { fromRevision: 1n, maxCount: 2 })).map((e) => e.revision)).toEqual([
        1n,
        2n,
      ]);
      expect(await s.readStream(streamName())).toEqual([]);
    });

    it('reads $all after a position, in append order, every event once, across pages', async () => {
      const s = await get();
      const a = streamName();
      const b = streamName();
      const before = await s.append(streamName(), events(1));
      const appended: string[] = [];
      for (let i = 0; i < 5; i++) {
        const batch = events(2);
        await s.append(i % 2 ? a : b, batch);
        appended.push(...batch.map((e) => e.id));
      }
      const all = await readAllAfter(s, before.position, [a, b], 3, appended.length);
      expect(all.map((e) => e.id)).toEqual(appended);
      for (let i = 1; i < all.length; i++)
        expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBe(-1);
      const fromStart = ours(await s.readAll({ after: START, maxCount: 100_000 }), [a, b]);
      expect(fromStart.map((e) => e.id)).toEqual(appended);
    });

    it('delivers $all to a catch-up subscription from its checkpoint, then live, in order', async () => {
      const s = await get();
      const stream = streamName();
      const checkpoint = await s.append(stream, events(2));
      await s.append(stream, events(3));
      const received: RecordedEvent[] = [];
      let resolveDone: () => void;
      const gotAll = new Promise<void>((resolve) => {
        resolveDone = resolve;
      });
      const subscription = s.subscribeToAll({
        after: checkpoint.position,
        onEvents: async (batch) => {
          received.push(...ours([...batch], [stream]));
          if (received.length >= 7) resolveDone();
        },
      });
      await s.append(stream, events(4));
      await gotAll;
      await subscription.stop();
      expect(received.map((e) => e.revision)).toEqual([2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    });

    it('lets exactly one of 50 concurrent appends at the same expected version win', async () => {
      const s = await get();
      const stream = streamName();
      await s.append(stream, events(1), 'no-stream');
      const attempts = Array.from({ length: 50 }, (_, i) => s.append(stream, [newEvent(i)], 0n));
      const results = await Promise.allSettled(attempts);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const r of lost) expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
      const read = await s.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual([0n, 1n]);
      expect(new Set(read.map((e) => e.id)).size).toBe(2);
    });

    it('serializes 20 concurrent appends at "any" without losing or duplicating one', async () => {
      const s = await get();
      const stream = streamName();
      const written = events(20);
      await Promise.all(written.map((e) => s.append(stream, [e], 'any')));
      const read = await s.readStream(stream);
      expect(read.map((e) => e.revision)).toEqual(written.map((_, i) => BigInt(i)));
      expect(new Set(read.map((e) => e.id))).toEqual(new Set(written.map((e) => e.id)));
      for (const [i, e] of read.entries())
        if (i > 0) expect(e.metadata.prevHash).toBe(read[i - 1]!.metadata.hash);
    });
  });
}
