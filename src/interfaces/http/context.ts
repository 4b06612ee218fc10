import type { Request } from 'express';
import type { CommandContext } from '../../application/command-handler.js';

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Correlation id from the client when it sent a sane one, otherwise the request id. */
export function commandContext(req: Request): CommandContext {
  const header = req.get('x-correlation-id');
  const correlationId = header && ID.test(header) ? header : String(req.id);
  return { correlationId, causationId: String(req.id), ...(req.auth ? { actor: req.auth.userId } : {}) };
}

export const isSaneRequestId = (value: string | undefined): value is string => !!value && ID.test(value);
