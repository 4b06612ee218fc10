export type Scope =
  | 'read:profile'
  | 'write:profile'
  | 'read:transactions'
  | 'write:transactions'
  | 'read:budget'
  | 'manage:budget'
  | 'read:goals'
  | 'write:goals'
  | 'read:analytics'
  | 'premium:ai_insights'
  | 'process:receipts'
  | 'admin';

export const USER_SCOPES: readonly Scope[] = [
  'read:profile',
  'write:profile',
  'read:transactions',
  'write:transactions',
  'read:budget',
  'manage:budget',
  'read:goals',
  'write:goals',
  'read:analytics',
  'process:receipts',
];

/** What a token grants: who, and which scopes. */
export interface AccessClaims {
  readonly userId: string;
  readonly scopes: readonly Scope[];
}

/** A token whose signature, algorithm, issuer, type and expiry checked out. */
export interface VerifiedToken extends AccessClaims {
  /** The token's `jti`. */
  readonly tokenId: string;
  /** The session (refresh-token family) the token belongs to: `fam`. */
  readonly family: string;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Access token lifetime in seconds. */
  readonly expiresIn: number;
}

/**
 * Signs and checks tokens; keeps no state. Whether a verified token has been revoked is the
 * TokenStore's business (see application/users/sessions.ts).
 */
export interface TokenService {
  readonly lifetimes: { readonly accessSeconds: number; readonly refreshSeconds: number };
  /** An access token and a refresh token (with `jti` = `refreshTokenId`) of session `family`. */
  sign(claims: AccessClaims & { family: string; refreshTokenId: string }): Promise<IssuedTokens>;
  /** Undefined for a token that is malformed, tampered with, expired or not an access token. */
  decodeAccess(token: string): Promise<VerifiedToken | undefined>;
  /** Undefined for a token that is malformed, tampered with, expired or not a refresh token. */
  decodeRefresh(token: string): Promise<VerifiedToken | undefined>;
}
