import { describe, expect, it } from 'vitest';
import { commandHandler } from '../../src/application/command-handler.js';
import { type CatchingUp, readYourWrites } from '../../src/application/consistency/read-your-writes.js';
import { trackWrites } from '../../src/application/consistency/track-writes.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import { comparePositions, type GlobalPosition } from '../../src/application/ports/event-store.port.js';
import type { Currency } from '../../src/domain/shared/money.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import { type UserCommand, userDecider } from '../../src/domain/user/user.js';
import { InProcessWritePositions } from '../../src/infrastructure/consistency/in-process-write-positions.js';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory-event-store.js';
import { randomIds } from '../../src/infrastructure/system/system-clock.js';

const TIMEOUT = 2000;

/** A read model at a fixed position that records what it was asked to wait for, and how long. */
function readModelAt(at: GlobalPosition) {
  const asked: { position: GlobalPosition; timeoutMs: number }[] = [];
  const model: CatchingUp = {
    waitFor: async (position, timeoutMs) => {
      asked.push({ position, timeoutMs });
      return comparePositions(at, position) >= 0;
    },
  };
  return { model, asked };
}

async function setUp(at: GlobalPosition, lastWrite?: GlobalPosition) {
  const writes = new InProcessWritePositions();
  if (lastWrite) await writes.record('u1', lastWrite);
  const { model, asked } = readModelAt(at);
  const read = readYourWrites({ writes, timeoutMs: TIMEOUT }).query(
    [model],
    async (input: { userId: string }) => ({
      read: input.userId,
    }),
  );
  return { read, asked };
}

describe('read-your-writes for a query', () => {
  it("waits, bounded, for the user's last write and says whether the read model reached it", async () => {
    const behind = await setUp('5.0', '7.0');
    expect(await behind.read({ userId: 'u1' })).toEqual({ read: 'u1', caughtUp: false });
    expect(behind.asked).toEqual([{ position: '7.0', timeoutMs: TIMEOUT }]);
    const ahead = await setUp('8.0', '7.0');
    expect(await ahead.read({ userId: 'u1' })).toEqual({ read: 'u1', caughtUp: true });
  });

  it('asks nothing of the read model for a user who has written nothing and names no position', async () => {
    const { read, asked } = await setUp('5.0');
    expect(await read({ userId: 'u1' })).toEqual({ read: 'u1', caughtUp: true });
    expect(asked).toEqual([]);
  });

  it("waits for the later of Min-Position and the user's last write", async () => {
    const { read, asked } = await setUp('9.0', '7.0');
    await read({ userId: 'u1', minPosition: '8.3' });
    await read({ userId: 'u1', minPosition: '6.0' });
    expect(asked.map((a) => a.position)).toEqual(['8.3', '7.0']);
  });

  it("eventual: does not wait for the user's last write, only looks, and says when it is missing", async () => {
    const { read, asked } = await setUp('5.0', '7.0');
    expect(await read({ userId: 'u1', consistency: 'eventual' })).toEqual({ read: 'u1', caughtUp: false });
    expect(asked).toEqual([{ position: '7.0', timeoutMs: 0 }]);
  });

  it('eventual with a Min-Position: waits for that position, not for the last write', async () => {
    const { read, asked } = await setUp('6.0', '7.0');
    expect(await read({ userId: 'u1', consistency: 'eventual', minPosition: '5.5' })).toMatchObject({
      caughtUp: false,
    });
    expect(asked).toEqual([
      { position: '5.5', timeoutMs: TIMEOUT },
      { position: '7.0', timeoutMs: 0 },
    ]);
  });
});

describe('tracking writes', () => {
  it("records the position of a user's command, not of a system actor's nor of a command that wrote nothing", async () => {
    const store = new InMemoryEventStore();
    const writes = new InProcessWritePositions();
    const clock = { now: () => new Date('2025-06-01T00:00:00Z') };
    const users = trackWrites(
      commandHandler({ store, clock, ids: randomIds }, userDecider, userCodec),
      writes,
    );
    const register = (userId: string): UserCommand => ({
      type: 'RegisterUser',
      data: {
        userId,
        email: `${userId}@example.com`,
        currency: 'USD' as Currency,
        income: 300_000n,
        country: 'US',
        timezone: 'Europe/Berlin',
        now: '2025-06-01T00:00:00.000Z',
      },
    });
    const handled = await users.handle(userStream('u1'), register('u1'), { correlationId: 'c', actor: 'u1' });
    expect(handled.position).toBeDefined();
    expect(await writes.latest('u1')).toBe(handled.position);
    // A profile update that changes nothing decides nothing: no position, nothing recorded.
    const unchanged: UserCommand = {
      type: 'UpdateProfile',
      data: { timezone: 'Europe/Berlin', now: '2025-06-02T00:00:00.000Z' },
    };
    await users.handle(userStream('u1'), unchanged, { correlationId: 'c', actor: 'u9' });
    expect(await writes.latest('u9')).toBeUndefined();

    await users.handle(userStream('u2'), register('u2'), { correlationId: 'c', actor: 'system:cli' });
    expect(await writes.latest('system:cli')).toBeUndefined();
  });
});
