import type { Request, Response } from 'express';
import type { CommandContext } from '../../application/command-handler.js';
import { type GlobalPosition, isValidPosition } from '../../application/ports/event-store.port.js';
import { problem } from './problem.js';

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Correlation id from the client when it sent a sane one, otherwise the request id. */
export function commandContext(req: Request): CommandContext {
  const header = req.get('x-correlation-id');
  const correlationId = header && ID.test(header) ? header : String(req.id);
  return { correlationId, causationId: String(req.id), ...(req.auth ? { actor: req.auth.userId } : {}) };
}

export const isSaneRequestId = (value: string | undefined): value is string => !!value && ID.test(value);

/**
 * Read-your-writes: `?after=<position>` or `Daybook-After: <position>` (a write response's `position`)
 * makes a query wait, bounded, until the read model has applied that write.
 */
export function readAfter(req: Request): GlobalPosition | undefined {
  const value =
    (typeof req.query.after === 'string' ? req.query.after : undefined) ?? req.get('daybook-after');
  if (value === undefined) return undefined;
  if (!isValidPosition(value)) {
    throw problem(400, 'invalid-position', 'Bad request', {
      detail: 'after must be a position such as "812.45" from a write response',
    });
  }
  return value;
}

export function markCaughtUp(res: Response, caughtUp: boolean): void {
  res.setHeader('Daybook-Caught-Up', String(caughtUp));
}
