/**
 * What happened to a presented refresh token:
 * - `rotated`: it was the family's current token; the next one is now current;
 * - `reused`: it was an earlier token of a live family, so someone replayed it: the family is now revoked;
 * - `revoked`: the family was ended before (logout, logout-all, an earlier reuse);
 * - `unknown`: no such family (expired, never issued here, or another user's).
 */
export type RotationOutcome = 'rotated' | 'reused' | 'revoked' | 'unknown';

export interface RotationRequest {
  readonly family: string;
  readonly userId: string;
  readonly presentedId: string;
  readonly nextId: string;
  readonly ttlSeconds: number;
}

/**
 * Session state behind the stateless JWTs: one record per refresh-token family (its user, its current
 * refresh token id, a revoked flag), the ids of access tokens revoked before their expiry, and each
 * user's families. Every entry expires on its own (TTL); nothing needs cleaning up.
 */
export interface TokenStore {
  /** A new family whose current refresh token is `tokenId`, kept `ttlSeconds`. */
  startFamily(input: { family: string; userId: string; tokenId: string; ttlSeconds: number }): Promise<void>;
  /**
   * Atomically: if `presentedId` is the family's current token, makes `nextId` current and keeps the
   * family `ttlSeconds` more; if it is not, revokes the family. Two callers presenting the same token
   * cannot both get `rotated`.
   */
  rotate(input: RotationRequest): Promise<RotationOutcome>;
  /** Ends a session: its refresh tokens and its access tokens stop working. Unknown families are ignored. */
  revokeFamily(family: string): Promise<void>;
  /** Ends every session of the user. */
  revokeUser(userId: string): Promise<void>;
  /** Revokes one access token until it would have expired anyway. */
  revokeAccessToken(tokenId: string, ttlSeconds: number): Promise<void>;
  /**
   * One lookup on every authenticated request: is this access token, or its family, revoked? A family the
   * store does not know (expired, or state lost) is not revoked: the token's own expiry still applies.
   */
  isAccessRevoked(tokenId: string, family: string): Promise<boolean>;
}

/** The token store cannot be reached (Redis down): answer 503, never 401 or 500. */
export class TokenStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenStoreUnavailableError';
  }
}
