import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RateDecision, RateLimiter, RateTier } from '../../application/ports/rate-limiter.port.js';

export interface RateLimits {
  readonly anonymous: number;
  readonly standard: number;
  readonly premium: number;
}

/** Fixed one-minute windows per tier (rate-limiter-flexible), in Redis when given one, else in memory. */
export class FlexibleRateLimiter implements RateLimiter {
  private readonly limiters: Record<RateTier, RateLimiterAbstract>;

  constructor(
    private readonly limits: RateLimits,
    redis?: Redis,
  ) {
    const make = (tier: RateTier): RateLimiterAbstract => {
      const options = { keyPrefix: `daybook:rl:${tier}`, points: limits[tier], duration: 60 };
      return redis
        ? new RateLimiterRedis({
            ...options,
            storeClient: redis,
            // While Redis is away each process counts on its own (fail open to per-process quotas).
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
    };
    this.limiters = { anonymous: make('anonymous'), standard: make('standard'), premium: make('premium') };
  }

  async consume(key: string, tier: RateTier): Promise<RateDecision> {
    const limit = this.limits[tier];
    try {
      const res = await this.limiters[tier].consume(key);
      return {
        allowed: true,
        limit,
        remaining: res.remainingPoints,
        resetSeconds: Math.ceil(res.msBeforeNext / 1000),
      };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return {
          allowed: false,
          limit,
          remaining: 0,
          resetSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
      throw rejection;
    }
  }
}
