import type { NextFunction, Request, Response } from 'express';
import type { RateLimiter, RateTier } from '../../application/ports/rate-limiter.port.js';
import type { AccessClaims } from '../../application/ports/token-service.port.js';
import { claimsOf } from './auth.js';
import { problem } from './problem.js';

/**
 * Quotas per minute: by user for authenticated calls (premium scope → premium tier), by IP otherwise.
 * Answers 429 with Retry-After; every response carries RateLimit-Limit/-Remaining/-Reset.
 */
export const rateLimit =
  (limiter: RateLimiter, verify: (token: string) => Promise<AccessClaims | undefined>) =>
  async (req: Request, res: Response, next: NextFunction) => {
    const claims = await claimsOf(req, verify);
    const tier: RateTier = !claims
      ? 'anonymous'
      : claims.scopes.includes('premium:ai_insights')
        ? 'premium'
        : 'standard';
    const key = claims ? `user:${claims.userId}` : `ip:${req.ip ?? 'unknown'}`;
    const decision = await limiter.consume(key, tier);
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      res.setHeader('Retry-After', String(decision.resetSeconds));
      throw problem(429, 'rate-limited', 'Too many requests', {
        detail: `The ${tier} limit is ${decision.limit} requests per minute; retry in ${decision.resetSeconds} s`,
      });
    }
    next();
  };
