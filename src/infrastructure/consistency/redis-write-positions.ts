import type { Redis } from 'ioredis';
import { latestPosition } from '../../application/budget/record-expenses.js';
import type { GlobalPosition } from '../../application/ports/event-store.port.js';
import type { WritePositions } from '../../application/ports/write-positions.port.js';
import type { Logger } from '../logging/logger.js';
import { InProcessWritePositions } from './in-process-write-positions.js';

/**
 * Raises KEYS[1] to ARGV[1] (a "<major>.<minor>" position) and keeps it ARGV[2] seconds. Positions are
 * compared as two unsigned integers, by length then digits: Lua numbers are doubles, too small for them.
 */
const RAISE = `
local function parts(p)
  local a, b = string.match(p, '^0*(%d-)%.0*(%d-)$')
  return a, b
end
local function less(x, y)
  local xa, xb = parts(x)
  local ya, yb = parts(y)
  if #xa ~= #ya then return #xa < #ya end
  if xa ~= ya then return xa < ya end
  if #xb ~= #yb then return #xb < #yb end
  return xb < yb
end
local current = redis.call('GET', KEYS[1])
if not current or less(current, ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
`;

export interface RedisWritePositionsOptions {
  /** Longest a Redis command may take before this process answers from its own memory. */
  readonly commandTimeoutMs?: number;
  /** After a failure, how long Redis is left alone (every call would otherwise wait out the timeout). */
  readonly retryAfterMs?: number;
  /** How long a user's position is kept: far longer than any projection lag worth waiting for. */
  readonly ttlSeconds?: number;
}

/**
 * Users' last write positions in Redis, so a write on one instance is awaited by a read on another.
 * Every position is also kept in process: when Redis is slow or down, reads and writes go on with
 * what this instance knows (its own writes) instead of failing or hanging, and the outage is logged.
 */
export class RedisWritePositions implements WritePositions {
  private readonly local = new InProcessWritePositions();
  private readonly commandTimeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly ttlSeconds: number;
  private unavailableUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    options: RedisWritePositionsOptions = {},
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 250;
    this.retryAfterMs = options.retryAfterMs ?? 2000;
    this.ttlSeconds = options.ttlSeconds ?? 24 * 3600;
  }

  async record(userId: string, position: GlobalPosition): Promise<void> {
    await this.local.record(userId, position);
    await this.shared(() => this.redis.eval(RAISE, 1, key(userId), position, this.ttlSeconds));
  }

  async latest(userId: string): Promise<GlobalPosition | undefined> {
    const shared = await this.shared(() => this.redis.get(key(userId)));
    // This instance's own write may be later than Redis has, if Redis missed it during an outage.
    return latestPosition([await this.local.latest(userId), shared ?? undefined]);
  }

  /** Runs a Redis command within the timeout; undefined when Redis is unavailable (logged once). */
  private async shared<T>(command: () => Promise<T>): Promise<T | undefined> {
    if (Date.now() < this.unavailableUntil) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const pending = command();
    try {
      const result = await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.commandTimeoutMs} ms`)),
            this.commandTimeoutMs,
          );
        }),
      ]);
      if (this.unavailableUntil !== 0) {
        this.unavailableUntil = 0;
        this.logger.info('write positions: Redis is back');
      }
      return result;
    } catch (error) {
      // The command may still settle later; its outcome no longer matters.
      pending.catch(() => undefined);
      if (this.unavailableUntil === 0)
        this.logger.warn(
          { err: error },
          "write positions: Redis unavailable, using this instance's own positions only",
        );
      this.unavailableUntil = Date.now() + this.retryAfterMs;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

const key = (userId: string) => `daybook:written:${userId}`;
