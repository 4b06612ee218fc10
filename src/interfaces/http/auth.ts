import type { NextFunction, Request, Response } from 'express';
import type { AccessClaims, Scope } from '../../application/ports/token-service.port.js';
import { problem } from './problem.js';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AccessClaims;
  }
}

/** Requires a valid Bearer access token carrying `scope`: 401 without one, 403 without the scope. */
export const requireScope =
  (verify: (token: string) => Promise<AccessClaims | undefined>, scope: Scope) =>
  async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9\-_.]{1,4096})$/.exec(header);
    const claims = match ? await verify(match[1] as string) : undefined;
    if (!claims) {
      throw problem(401, 'unauthorized', 'Unauthorized', {
        detail: 'A valid Bearer access token is required',
      });
    }
    if (!claims.scopes.includes(scope) && !claims.scopes.includes('admin')) {
      throw problem(403, 'insufficient-scope', 'Forbidden', {
        detail: `This needs the ${scope} scope`,
        scope,
      });
    }
    req.auth = claims;
    next();
  };

export const authOf = (req: Request): AccessClaims => {
  if (!req.auth) throw new Error('route reached without authentication middleware');
  return req.auth;
};
