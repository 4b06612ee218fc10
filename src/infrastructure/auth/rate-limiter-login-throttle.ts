import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { LoginThrottle, ThrottleDecision } from '../../application/ports/login-throttle.port.js';

export interface LoginLimits {
  /** Failed logins allowed per account (lower-cased email) in `accountWindowSeconds`. */
  readonly maxFailuresPerAccount: number;
  readonly accountWindowSeconds: number;
  /** Failed logins allowed per client IP in `ipWindowSeconds`. */
  readonly maxFailuresPerIp: number;
  readonly ipWindowSeconds: number;
}

/**
 * rate-limiter-flexible fixed windows: in Redis when given a client (shared by every instance; an
 * in-memory limiter stands in while Redis is unreachable), in this process otherwise. Accounts are keyed
 * by a hash of the email, so no address is written to Redis.
 */
export class RateLimiterLoginThrottle implements LoginThrottle {
  private readonly byAccount: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;

  constructor(limits: LoginLimits, redis?: Redis, keyPrefix = 'daybook:login') {
    const make = (name: string, points: number, duration: number): RateLimiterAbstract => {
      const options = { keyPrefix: `${keyPrefix}:${name}`, points, duration };
      return redis
        ? new RateLimiterRedis({
            ...options,
            storeClient: redis,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
    };
    this.byAccount = make('account', limits.maxFailuresPerAccount, limits.accountWindowSeconds);
    this.byIp = make('ip', limits.maxFailuresPerIp, limits.ipWindowSeconds);
  }

  async attempt(account: string, ip: string | undefined): Promise<ThrottleDecision> {
    const results = await Promise.allSettled([
      this.byAccount.consume(accountKey(account)),
      ...(ip ? [this.byIp.consume(ip)] : []),
    ]);
    let retryAfterMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      retryAfterMs = Math.max(retryAfterMs, result.reason.msBeforeNext);
    }
    return retryAfterMs > 0 || results.some((r) => r.status === 'rejected')
      ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) }
      : { allowed: true };
  }

  async succeeded(account: string, ip: string | undefined): Promise<void> {
    await Promise.all([this.byAccount.delete(accountKey(account)), ...(ip ? [this.byIp.reward(ip)] : [])]);
  }
}

const accountKey = (account: string) => createHash('sha256').update(account).digest('base64url');
