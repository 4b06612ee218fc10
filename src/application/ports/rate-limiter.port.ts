export type RateTier = 'anonymous' | 'standard' | 'premium';

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the next request is allowed (when refused) or the window resets. */
  readonly resetSeconds: number;
}

/** Request quotas per caller and tier, shared by every instance when Redis is configured. */
export interface RateLimiter {
  consume(key: string, tier: RateTier): Promise<RateDecision>;
}
