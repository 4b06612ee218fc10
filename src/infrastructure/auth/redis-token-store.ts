import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type RotationOutcome,
  type RotationRequest,
  type TokenStore,
  TokenStoreUnavailableError,
} from '../../application/ports/token-store.port.js';

/** A Lua script run by its SHA-1, loaded on first use (and again after a SCRIPT FLUSH or failover). */
class Script {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

// A family is a hash: u = user id, c = current refresh token id, r = '1' once revoked. A revoked family is
// kept until it expires, so a token of it keeps being refused as revoked.

/** KEYS: family, user's families. ARGV: user id, presented id, next id, ttl seconds. */
const ROTATE = new Script(`
local f = redis.call('HMGET', KEYS[1], 'u', 'c', 'r')
if not f[1] or f[1] ~= ARGV[1] then return 'unknown' end
if f[3] == '1' then return 'revoked' end
if f[2] ~= ARGV[2] then
  redis.call('HSET', KEYS[1], 'r', '1')
  return 'reused'
end
redis.call('HSET', KEYS[1], 'c', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 'rotated'
`);

/** KEYS: family. */
const REVOKE_FAMILY = new Script(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'r', '1') end
return 1
`);

/** KEYS: user's families. ARGV: prefix of family keys. */
const REVOKE_USER = new Script(`
local families = redis.call('SMEMBERS', KEYS[1])
for _, family in ipairs(families) do
  local key = ARGV[1] .. family
  if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'r', '1') end
end
redis.call('DEL', KEYS[1])
return #families
`);

/**
 * Session state in Redis, shared by every API process. Rotation and revocation are Lua scripts, so they
 * are atomic: of two refreshes presenting the same token, one rotates and the other finds it spent.
 * Keys (all with a TTL): `<prefix>fam:<family>` (hash), `<prefix>user:<userId>` (set of families),
 * `<prefix>jti:<tokenId>` (a revoked access token). The scripts name keys they are not given, so a
 * Redis Cluster would need hash tags; a single Redis (or a primary with replicas) is what this targets.
 */
export class RedisTokenStore implements TokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'daybook:auth:',
  ) {}

  private familyKey = (family: string) => `${this.prefix}fam:${family}`;
  private userKey = (userId: string) => `${this.prefix}user:${userId}`;
  private accessKey = (tokenId: string) => `${this.prefix}jti:${tokenId}`;

  async startFamily({
    family,
    userId,
    tokenId,
    ttlSeconds,
  }: {
    family: string;
    userId: string;
    tokenId: string;
    ttlSeconds: number;
  }): Promise<void> {
    await this.call(async () => {
      const results = await this.redis
        .multi()
        .hset(this.familyKey(family), 'u', userId, 'c', tokenId, 'r', '0')
        .expire(this.familyKey(family), ttlSeconds)
        .sadd(this.userKey(userId), family)
        .expire(this.userKey(userId), ttlSeconds)
        .exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('MULTI was aborted');
    });
  }

  async rotate({
    family,
    userId,
    presentedId,
    nextId,
    ttlSeconds,
  }: RotationRequest): Promise<RotationOutcome> {
    const outcome = await this.call(() =>
      ROTATE.run(
        this.redis,
        [this.familyKey(family), this.userKey(userId)],
        [userId, presentedId, nextId, ttlSeconds],
      ),
    );
    if (outcome === 'rotated' || outcome === 'reused' || outcome === 'revoked' || outcome === 'unknown') {
      return outcome;
    }
    throw new Error(`unexpected rotation outcome from Redis: ${String(outcome)}`);
  }

  async revokeFamily(family: string): Promise<void> {
    await this.call(() => REVOKE_FAMILY.run(this.redis, [this.familyKey(family)], []));
  }

  async revokeUser(userId: string): Promise<void> {
    await this.call(() => REVOKE_USER.run(this.redis, [this.userKey(userId)], [`${this.prefix}fam:`]));
  }

  async revokeAccessToken(tokenId: string, ttlSeconds: number): Promise<void> {
    await this.call(() => this.redis.set(this.accessKey(tokenId), '1', 'EX', Math.max(1, ttlSeconds)));
  }

  async isAccessRevoked(tokenId: string, family: string): Promise<boolean> {
    // One round trip: both lookups in a pipeline.
    const results = await this.call(() =>
      this.redis.pipeline().exists(this.accessKey(tokenId)).hget(this.familyKey(family), 'r').exec(),
    );
    const failed = results?.find(([error]) => error);
    if (!results || failed) {
      throw new TokenStoreUnavailableError('Redis did not answer the revocation lookup', {
        cause: failed?.[0],
      });
    }
    return results[0]?.[1] === 1 || results[1]?.[1] === '1';
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new TokenStoreUnavailableError(`Redis token store: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
