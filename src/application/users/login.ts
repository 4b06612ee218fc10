import { fail } from '../../domain/shared/domain-error.js';
import type { CredentialStore } from '../ports/credential-store.port.js';
import type { PasswordHasher } from '../ports/password-hasher.port.js';
import { type IssuedTokens, type TokenService, USER_SCOPES } from '../ports/token-service.port.js';
import { normalizeEmail } from './credentials-rules.js';

export interface LoginDeps {
  readonly credentials: CredentialStore;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenService;
  /** A real hash of a throwaway password, verified when the email is unknown: both answers take as long. */
  readonly decoyHash: Promise<string>;
}

export const login =
  (deps: LoginDeps) =>
  async (input: { email: string; password: string }): Promise<IssuedTokens & { userId: string }> => {
    const credential = await deps.credentials.findByEmail(normalizeEmail(input.email));
    const valid = await deps.hasher.verify(
      credential?.passwordHash ?? (await deps.decoyHash),
      input.password,
    );
    if (!credential || !valid) return fail('invalid-credentials', 'Email or password is wrong');
    const tokens = await deps.tokens.issue({ userId: credential.userId, scopes: USER_SCOPES });
    return { ...tokens, userId: credential.userId };
  };
