import { fail } from '../../domain/shared/domain-error.js';
import { ANONYMOUS } from '../events/security.codec.js';
import type { CredentialStore } from '../ports/credential-store.port.js';
import type { LoginThrottle } from '../ports/login-throttle.port.js';
import type { PasswordHasher } from '../ports/password-hasher.port.js';
import { type IssuedTokens, type Scope, USER_SCOPES } from '../ports/token-service.port.js';
import { type ClientInfo, emailHash } from '../security/security-log.js';
import { normalizeEmail } from './credentials-rules.js';
import { type SessionDeps, startSession } from './sessions.js';

export interface LoginDeps extends SessionDeps {
  readonly credentials: CredentialStore;
  readonly hasher: PasswordHasher;
  readonly loginThrottle: LoginThrottle;
  /** A real hash of a throwaway password, verified when the email is unknown: both answers take as long. */
  readonly decoyHash: Promise<string>;
  /** Lower-cased emails whose sessions carry the `admin` scope (operators). */
  readonly adminEmails: ReadonlySet<string>;
}

export interface LoginInput extends ClientInfo {
  readonly email: string;
  readonly password: string;
  /** The client's address, for the per-IP limit on failures (recorded as its network only). */
  readonly ip?: string;
}

/**
 * Checks the password and starts a session. Attempts are throttled per account and per IP before the
 * password is looked at: a blocked attempt is refused even with the right password. Every outcome is
 * recorded in the security log (best effort: a failure to record is logged, the answer is unchanged).
 */
export const login = (deps: LoginDeps) => {
  const start = startSession(deps);
  const security = deps.security;
  return async (input: LoginInput): Promise<IssuedTokens & { userId: string }> => {
    const email = normalizeEmail(input.email);
    const client = { ip: input.ip, userAgent: input.userAgent };
    const correlation = input.correlationId ? { correlationId: input.correlationId } : {};
    const decision = await deps.loginThrottle.attempt(email, input.ip);
    if (!decision.allowed) {
      await security?.bestEffort('LoginThrottled', async () => {
        const known = await deps.credentials.findByEmail(email);
        await security.record({
          subject: known?.userId ?? ANONYMOUS,
          event: {
            type: 'LoginThrottled',
            data: {
              ...security.context(client),
              reason: 'too-many-attempts',
              retryAfter: decision.retryAfterSeconds,
              ...(known ? {} : { emailHash: emailHash(email) }),
            },
          },
          ...correlation,
        });
      });
      return fail('too-many-attempts', 'Too many failed logins; try again later', {
        retryAfter: decision.retryAfterSeconds,
      });
    }
    const credential = await deps.credentials.findByEmail(email);
    const valid = await deps.hasher.verify(
      credential?.passwordHash ?? (await deps.decoyHash),
      input.password,
    );
    if (!credential || !valid) {
      await security?.bestEffort('LoginFailed', () =>
        security.record({
          subject: credential?.userId ?? ANONYMOUS,
          event: {
            type: 'LoginFailed',
            data: credential
              ? { ...security.context(client), reason: 'wrong-password' }
              : { ...security.context(client), reason: 'unknown-email', emailHash: emailHash(email) },
          },
          ...correlation,
        }),
      );
      return fail('invalid-credentials', 'Email or password is wrong');
    }
    await deps.loginThrottle.succeeded(email, input.ip);
    const scopes: readonly Scope[] = deps.adminEmails.has(credential.email)
      ? [...USER_SCOPES, 'admin']
      : USER_SCOPES;
    const tokens = await start({ userId: credential.userId, scopes });
    await security?.bestEffort('LoginSucceeded', () =>
      security.record({
        subject: credential.userId,
        actor: credential.userId,
        event: { type: 'LoginSucceeded', data: security.context(client) },
        ...correlation,
      }),
    );
    return { ...tokens, userId: credential.userId };
  };
};
