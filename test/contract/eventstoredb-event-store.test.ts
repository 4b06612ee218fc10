import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../../src/application/ports/event-store.port.js';
import { EventStoreDbEventStore } from '../../src/infrastructure/event-store/eventstoredb-event-store.js';
import { eventStoreContract } from './event-store.contract.js';

const url = process.env.EVENTSTORE_CONNECTION_STRING;

describe.skipIf(!url)(
  url
    ? 'EventStoreDB at EVENTSTORE_CONNECTION_STRING'
    : 'EventStoreDB (skipped: EVENTSTORE_CONNECTION_STRING not set)',
  () => {
    let store: EventStoreDbEventStore | undefined;
    afterAll(() => store?.close());
    eventStoreContract('eventstoredb', async () => {
      store ??= EventStoreDbEventStore.fromConnectionString(url as string);
      return store;
    });
  },
);

/** A port nothing listens on: bound by the OS for us, then released. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function rejection(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

describe('EventStoreDbEventStore without a server', () => {
  it('rejects append, readStream, readAll, ping and a subscription with EventStoreUnavailableError, quickly and without crashing', async () => {
    const unhandled: unknown[] = [];
    const record = (error: unknown) => unhandled.push(error);
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
    const store = EventStoreDbEventStore.fromConnectionString(
      `esdb://127.0.0.1:${await closedPort()}?tls=false`,
    );
    try {
      const event = {
        id: randomUUID(),
        type: 'ExpenseRecorded',
        data: { amount: '100' },
        metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
      };
      const calls = {
        append: store.append('user-1', [event], 'any'),
        appendExact: store.append('user-1', [event], 3n),
        readStream: store.readStream('user-1'),
        readStreamBackwards: store.readStream('user-1', { direction: 'backwards', maxCount: 1 }),
        readAll: store.readAll({ maxCount: 10 }),
        readAllAfter: store.readAll({ after: '100.100', maxCount: 10 }),
        ping: store.ping(),
      };
      for (const [name, promise] of Object.entries(calls)) {
        const { error, ms } = await rejection(promise);
        expect(error, name).toBeInstanceOf(EventStoreUnavailableError);
        expect((error as Error).cause, name).toBeDefined();
        expect(ms, name).toBeLessThan(5_000);
      }

      const errors: unknown[] = [];
      const subscription = store.subscribeToAll({
        onEvents: async () => {
          throw new Error('no event can arrive');
        },
        onError: (error) => errors.push(error),
      });
      const { error, ms } = await rejection(subscription.done);
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect(ms).toBeLessThan(5_000);
      await subscription.stop();
      expect(errors).toEqual([error]);

      // Late errors from the client's streams would surface here.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(unhandled).toEqual([]);
    } finally {
      await store.close();
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
    }
  }, 20_000);
});
