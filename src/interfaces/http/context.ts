import type { Request, Response } from 'express';
import { z } from 'zod';
import type { CommandContext } from '../../application/command-handler.js';
import type { Consistency, ReadConsistency } from '../../application/consistency/read-your-writes.js';
import { comparePositions, isValidPosition } from '../../application/ports/event-store.port.js';
import type { ClientInfo } from '../../application/security/security-log.js';
// Loaded for its side effect first: the schemas below call .openapi().
import './openapi.js';
import { problem } from './problem.js';

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Correlation id from the client when it sent a sane one, otherwise the request id. */
export function commandContext(req: Request): CommandContext {
  const header = req.get('x-correlation-id');
  const correlationId = header && ID.test(header) ? header : String(req.id);
  return { correlationId, causationId: String(req.id), ...(req.auth ? { actor: req.auth.userId } : {}) };
}

export const isSaneRequestId = (value: string | undefined): value is string => !!value && ID.test(value);

const CONSISTENCIES: readonly Consistency[] = ['read-your-writes', 'eventual'];

/**
 * How a read treats the caller's writes. By default it waits (bounded) until the read models reflect
 * the caller's last write. `Daybook-Min-Position` (or the older `Daybook-After` / `?after=`) names a
 * position it must reflect too, the latest of them counting; `Daybook-Consistency: eventual` (or
 * `?consistency=eventual`) stops it waiting for the caller's own writes.
 */
export function readConsistency(req: Request): ReadConsistency {
  const positions = [
    typeof req.query.after === 'string' ? req.query.after : undefined,
    req.get('daybook-after'),
    req.get('daybook-min-position'),
  ].filter((p): p is string => p !== undefined);
  if (!positions.every(isValidPosition)) {
    throw problem(400, 'invalid-position', 'Bad request', {
      detail: 'Daybook-Min-Position (or after) must be a position such as "812.45" from a write response',
    });
  }
  const minPosition = positions.sort(comparePositions).at(-1);
  const consistency =
    (typeof req.query.consistency === 'string' ? req.query.consistency : undefined) ??
    req.get('daybook-consistency');
  if (consistency !== undefined && !(CONSISTENCIES as readonly string[]).includes(consistency)) {
    throw problem(400, 'invalid-consistency', 'Bad request', {
      detail: `Daybook-Consistency (or consistency) must be one of: ${CONSISTENCIES.join(', ')}`,
    });
  }
  return {
    ...(minPosition === undefined ? {} : { minPosition }),
    ...(consistency === undefined ? {} : { consistency: consistency as Consistency }),
  };
}

/** The query parameters and headers of `readConsistency`, for the OpenAPI description of a read. */
export const consistencyQuery = z.object({
  after: z
    .string()
    .optional()
    .openapi({ description: "Reflect at least this position (a write response's `position`)" }),
  consistency: z.enum(CONSISTENCIES).optional().openapi({
    description: "`eventual`: do not wait for the caller's own last write (default `read-your-writes`)",
  }),
});
export const consistencyHeaders = z.object({
  'daybook-min-position': z.string().optional().openapi({
    description:
      "Reflect at least this position (a write's or a notification's `position`); the caller's own last write is waited for anyway",
  }),
  'daybook-after': z.string().optional().openapi({ description: 'The older name of Daybook-Min-Position' }),
  'daybook-consistency': z.enum(CONSISTENCIES).optional().openapi({
    description: "`eventual`: do not wait for the caller's own last write (default `read-your-writes`)",
  }),
});

export function markCaughtUp(res: Response, caughtUp: boolean): void {
  res.setHeader('Daybook-Caught-Up', String(caughtUp));
}

/** For the security log: the client's address and user agent (reduced there) and the correlation id. */
export function clientOf(req: Request): ClientInfo {
  const userAgent = req.get('user-agent');
  return {
    correlationId: commandContext(req).correlationId,
    ...(req.ip ? { ip: req.ip } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
}
