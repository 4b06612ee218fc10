import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type {
  AccessClaims,
  IssuedTokens,
  Scope,
  TokenService,
} from '../../application/ports/token-service.port.js';

const ISSUER = 'daybook';
const ALGORITHM = 'HS256';

/** HS256 JWTs. Verification pins the algorithm, so `alg: none` and key-confusion tokens fail. */
export class JwtTokenService implements TokenService {
  constructor(
    private readonly secret: string,
    private readonly accessTtlSeconds: number,
    private readonly refreshTtlSeconds: number,
  ) {}

  async issue({ userId, scopes }: AccessClaims): Promise<IssuedTokens> {
    const sign = (payload: object, ttl: number) =>
      jwt.sign(payload, this.secret, {
        algorithm: ALGORITHM,
        issuer: ISSUER,
        subject: userId,
        expiresIn: ttl,
        jwtid: randomUUID(),
      });
    return {
      accessToken: sign({ typ: 'access', scope: scopes.join(' ') }, this.accessTtlSeconds),
      refreshToken: sign({ typ: 'refresh', family: randomUUID() }, this.refreshTtlSeconds),
      tokenType: 'Bearer',
      expiresIn: this.accessTtlSeconds,
    };
  }

  async verifyAccess(token: string): Promise<AccessClaims | undefined> {
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: [ALGORITHM], issuer: ISSUER });
      if (typeof claims !== 'object' || claims.typ !== 'access' || typeof claims.sub !== 'string')
        return undefined;
      const scope = typeof claims.scope === 'string' ? claims.scope : '';
      return { userId: claims.sub, scopes: scope.split(' ').filter(Boolean) as Scope[] };
    } catch {
      return undefined;
    }
  }
}
