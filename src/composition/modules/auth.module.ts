import { ContainerModule } from 'inversify';
import type { CredentialStore } from '../../application/ports/credential-store.port.js';
import type { LoginThrottle } from '../../application/ports/login-throttle.port.js';
import type { PasswordHasher } from '../../application/ports/password-hasher.port.js';
import type { TokenService } from '../../application/ports/token-service.port.js';
import type { TokenStore } from '../../application/ports/token-store.port.js';
import { argon2PasswordHasher } from '../../infrastructure/auth/argon2-password-hasher.js';
import { JwtTokenService } from '../../infrastructure/auth/jwt-token-service.js';
import { MemoryTokenStore } from '../../infrastructure/auth/memory-token-store.js';
import { PostgresCredentialStore } from '../../infrastructure/auth/postgres-credential-store.js';
import { RateLimiterLoginThrottle } from '../../infrastructure/auth/rate-limiter-login-throttle.js';
import { RedisTokenStore } from '../../infrastructure/auth/redis-token-store.js';
import type { Resources } from '../resources.js';
import { TOKENS } from '../tokens.js';

/** Credentials, password hashing, tokens and their revocation, login throttling. */
export const authModule = ({ config, pool, redis, jwtSecret }: Resources) =>
  new ContainerModule(({ bind }) => {
    bind<CredentialStore>(TOKENS.Credentials).toConstantValue(new PostgresCredentialStore(pool));
    bind<PasswordHasher>(TOKENS.Hasher).toConstantValue(argon2PasswordHasher);
    bind<TokenService>(TOKENS.Tokens).toConstantValue(
      new JwtTokenService(jwtSecret, config.ACCESS_TOKEN_TTL_SECONDS, config.REFRESH_TOKEN_TTL_SECONDS),
    );
    bind<TokenStore>(TOKENS.TokenStore).toConstantValue(
      redis ? new RedisTokenStore(redis) : new MemoryTokenStore(),
    );
    bind<LoginThrottle>(TOKENS.LoginThrottle).toConstantValue(
      new RateLimiterLoginThrottle(
        {
          maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
          accountWindowSeconds: config.LOGIN_ACCOUNT_WINDOW_SECONDS,
          maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
          ipWindowSeconds: config.LOGIN_IP_WINDOW_SECONDS,
        },
        redis,
      ),
    );
  });
