import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type {
  AccessClaims,
  IssuedTokens,
  Scope,
  TokenService,
  VerifiedToken,
} from '../../application/ports/token-service.port.js';

const ISSUER = 'daybook';
const ALGORITHM = 'HS256';

type TokenType = 'access' | 'refresh';

/**
 * HS256 JWTs. Verification pins the algorithm, so `alg: none` and key-confusion tokens fail. Both kinds
 * carry `jti`, `sub`, `scope` and `fam` (the session); `typ` keeps one from being used as the other.
 */
export class JwtTokenService implements TokenService {
  readonly lifetimes: { readonly accessSeconds: number; readonly refreshSeconds: number };
  /** Made once: given a string, jsonwebtoken builds a key object on every call (~0.5 ms each). */
  private readonly key: KeyObject;

  constructor(secret: string, accessTtlSeconds: number, refreshTtlSeconds: number) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
    this.lifetimes = { accessSeconds: accessTtlSeconds, refreshSeconds: refreshTtlSeconds };
  }

  async sign({
    userId,
    scopes,
    family,
    refreshTokenId,
  }: AccessClaims & { family: string; refreshTokenId: string }): Promise<IssuedTokens> {
    const sign = (typ: TokenType, jwtid: string, ttl: number) =>
      jwt.sign({ typ, scope: scopes.join(' '), fam: family }, this.key, {
        algorithm: ALGORITHM,
        issuer: ISSUER,
        subject: userId,
        expiresIn: ttl,
        jwtid,
      });
    return {
      accessToken: sign('access', randomUUID(), this.lifetimes.accessSeconds),
      refreshToken: sign('refresh', refreshTokenId, this.lifetimes.refreshSeconds),
      tokenType: 'Bearer',
      expiresIn: this.lifetimes.accessSeconds,
    };
  }

  async decodeAccess(token: string): Promise<VerifiedToken | undefined> {
    return this.decode(token, 'access');
  }

  async decodeRefresh(token: string): Promise<VerifiedToken | undefined> {
    return this.decode(token, 'refresh');
  }

  private decode(token: string, typ: TokenType): VerifiedToken | undefined {
    let claims: string | jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.key, { algorithms: [ALGORITHM], issuer: ISSUER });
    } catch {
      return undefined;
    }
    if (
      typeof claims !== 'object' ||
      claims.typ !== typ ||
      !isId(claims.sub) ||
      !isId(claims.jti) ||
      !isId(claims.fam) ||
      typeof claims.exp !== 'number'
    ) {
      return undefined;
    }
    const scope = typeof claims.scope === 'string' ? claims.scope : '';
    return {
      userId: claims.sub,
      scopes: scope.split(' ').filter(Boolean) as Scope[],
      tokenId: claims.jti,
      family: claims.fam,
      expiresAt: claims.exp,
    };
  }
}

/** Ids end up in store keys: only short, plain ones are accepted. */
const isId = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(value);
