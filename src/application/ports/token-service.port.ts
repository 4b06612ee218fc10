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

export interface AccessClaims {
  readonly userId: string;
  readonly scopes: readonly Scope[];
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: 'Bearer';
  /** Access token lifetime in seconds. */
  readonly expiresIn: number;
}

export interface TokenService {
  issue(claims: AccessClaims): Promise<IssuedTokens>;
  /** Undefined for a token that is malformed, tampered with, expired or not an access token. */
  verifyAccess(token: string): Promise<AccessClaims | undefined>;
}
