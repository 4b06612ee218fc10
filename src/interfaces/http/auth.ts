import type { NextFunction, Request, Response } from 'express';
import type { AccessClaims, Scope } from '../../application/ports/token-service.port.js';
import { problem } from './problem.js';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AccessClaims;
  }
}

export type VerifyAccess = (token: string) => Promise<AccessClaims | undefined>;

/** The request's Bearer token when it has a well-formed one. */
export const bearerToken = (req: Request): string | undefined =>
  /^Bearer ([A-Za-z0-9\-_.]{1,4096})$/.exec(req.headers.authorization ?? '')?.[1];

const verified = new WeakMap<Request, Promise<AccessClaims | undefined>>();

/**
 * The request's access claims, verified once per request: the rate limiter and the scope check both need
 * them, and each verification is a token-store lookup.
 */
export function claimsOf(req: Request, verify: VerifyAccess): Promise<AccessClaims | undefined> {
  let claims = verified.get(req);
  if (!claims) {
    const token = bearerToken(req);
    claims = token ? verify(token) : Promise.resolve(undefined);
    verified.set(req, claims);
  }
  return claims;
}

export const unauthorized = () =>
  problem(401, 'unauthorized', 'Unauthorized', { detail: 'A valid Bearer access token is required' });

/**
 * Requires a valid, unrevoked Bearer access token carrying `scope`: 401 without one, 403 without the
 * scope. Without `scope`, any valid access token will do.
 */
export const requireScope =
  (verify: VerifyAccess, scope?: Scope) => async (req: Request, _res: Response, next: NextFunction) => {
    const claims = await claimsOf(req, verify);
    if (!claims) throw unauthorized();
    if (scope && !claims.scopes.includes(scope) && !claims.scopes.includes('admin')) {
      throw problem(403, 'insufficient-scope', 'Forbidden', {
        detail: `This needs the ${scope} scope`,
        scope,
      });
    }
    req.auth = claims;
    next();
  };

/** Requires a valid, unrevoked Bearer access token, whatever its scopes. */
export const requireAuth = (verify: VerifyAccess) => requireScope(verify);

export const authOf = (req: Request): AccessClaims => {
  if (!req.auth) throw new Error('route reached without authentication middleware');
  return req.auth;
};
