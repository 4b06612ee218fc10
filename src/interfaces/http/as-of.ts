import type { Request } from 'express';
import { z } from 'zod';
import { isInstant } from '../../application/audit/as-of.query.js';
import { parseQuery } from './validate.js';

/** An ISO 8601 timestamp with a time zone: `2025-06-01T12:00:00Z`, `2025-06-01T14:00:00.5+02:00`. */
export const instantString = z
  .string()
  .max(40)
  .refine(isInstant, 'must be an ISO 8601 timestamp with a time zone, such as 2025-06-01T12:00:00Z');

/** The `asOf` query parameter, for the route docs: `query: afterQuery.extend(asOfQuery.shape)`. */
export const asOfQuery = z.object({ asOf: instantString.optional() });

/**
 * `?asOf=<timestamp>`: answer from the log as it stood at that moment instead of the read models
 * (400 validation-failed, field `query.asOf`, when it is not a timestamp with a zone).
 */
export function readAsOf(req: Request): string | undefined {
  return parseQuery(asOfQuery, req.query).asOf;
}
