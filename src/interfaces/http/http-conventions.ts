import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Every /api answer is one user's data (budgets, transactions, analytics, their audit trail) or a
 * credential: no shared cache may keep it, and the browser must not write it to disk. Routes may make it
 * stricter (`no-store` alone on tokens and exports), never looser.
 */
export function personalData(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'private, no-store');
  next();
}

/** Response headers a browser client on another origin needs to read (CORS hides the others). */
export const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Location',
  'ETag',
  'Retry-After',
  'Daybook-Position',
  'Daybook-Caught-Up',
  'Idempotent-Replayed',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
] as const;

/** CORS for the configured origins only (none: other origins are refused by the browser). */
export const corsPolicy = (origins: readonly string[]): RequestHandler =>
  cors({ origin: [...origins], exposedHeaders: [...EXPOSED_HEADERS] });
