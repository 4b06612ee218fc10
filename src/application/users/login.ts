import { fail } from '../../domain/shared/domain-error.js';
import type { CredentialStore } from '../ports/credential-store.port.js';
import type { LoginThrottle } from '../ports/login-throttle.port.js';
import type { PasswordHasher } from '../ports/password-hasher.port.js';
import { type IssuedTokens, USER_SCOPES } from '../ports/token-service.port.js';
import { normalizeEmail } from './credentials-rules.js';
import { type SessionDeps, startSession } from './sessions.js';

export interface LoginDeps extends SessionDeps {
  readonly credentials: CredentialStore;
  readonly hasher: PasswordHasher;
  readonly loginThrottle: LoginThrottle;
  /** A real hash of a throwaway password, verified when the email is unknown: both answers take as long. */
  readonly decoyHash: Promise<string>;
}

export interface LoginInput {
  readonly email: string;
  readonly password: string;
  /** The client's address, for the per-IP limit on failures. */
  readonly ip?: string;
}

/**
 * Checks the password and starts a session. Attempts are throttled per account and per IP before the
 * password is looked at: a blocked attempt is refused even with the right password.
 */
export const login = (deps: LoginDeps) => {
  const start = startSession(deps);
  return async (input: LoginInput): Promise<IssuedTokens & { userId: string }> => {
    const email = normalizeEmail(input.email);
    const decision = await deps.loginThrottle.attempt(email, input.ip);
    if (!decision.allowed) {
      return fail('too-many-attempts', 'Too many failed logins; try again later', {
        retryAfter: decision.retryAfterSeconds,
      });
    }
    const credential = await deps.credentials.findByEmail(email);
    const valid = await deps.hasher.verify(
      credential?.passwordHash ?? (await deps.decoyHash),
      input.password,
    );
    if (!credential || !valid) return fail('invalid-credentials', 'Email or password is wrong');
    await deps.loginThrottle.succeeded(email, input.ip);
    const tokens = await start({ userId: credential.userId, scopes: USER_SCOPES });
    return { ...tokens, userId: credential.userId };
  };
};
