import { fail } from '../../domain/shared/domain-error.js';
import { parseCurrency, parseMoney } from '../../domain/shared/money.js';
import { userStream } from '../../domain/user/stream-name.js';
import type { RegisteredUser, UserCommand, UserEvent, UserState } from '../../domain/user/user.js';
import type { CommandContext, CommandHandler } from '../command-handler.js';
import type { CredentialStore } from '../ports/credential-store.port.js';
import type { PasswordHasher } from '../ports/password-hasher.port.js';
import { type IssuedTokens, USER_SCOPES } from '../ports/token-service.port.js';
import { normalizeEmail, validatePassword } from './credentials-rules.js';
import { type SessionDeps, startSession } from './sessions.js';

export interface RegisterUserInput {
  readonly email: string;
  readonly password: string;
  /** Monthly income, a decimal string in major units. */
  readonly income: string;
  readonly currency: string;
  readonly country: string;
  readonly timezone: string;
  readonly displayName?: string;
}

export interface RegisterUserDeps extends SessionDeps {
  readonly users: CommandHandler<UserCommand, UserEvent, UserState>;
  readonly credentials: CredentialStore;
  readonly hasher: PasswordHasher;
}

/**
 * The credential row is written first: its unique email is what makes registration race-free. If the
 * user stream then cannot be written, the credential is removed again so the email stays free.
 */
export const registerUser = (deps: RegisterUserDeps) => {
  const start = startSession(deps);
  return async (
    input: RegisterUserInput,
    context: CommandContext,
  ): Promise<{ user: RegisteredUser } & IssuedTokens> => {
    const email = normalizeEmail(input.email);
    validatePassword(input.password);
    const currency = parseCurrency(input.currency);
    const income = parseMoney(input.income, currency).amount;
    const userId = deps.ids.uuid();
    const passwordHash = await deps.hasher.hash(input.password);
    if (!(await deps.credentials.create({ email, userId, passwordHash }))) {
      fail('email-taken', 'An account with this email already exists');
    }
    let user: RegisteredUser;
    try {
      const { state } = await deps.users.handle(
        userStream(userId),
        {
          type: 'RegisterUser',
          data: {
            userId,
            email,
            currency,
            income,
            country: input.country,
            timezone: input.timezone,
            ...(input.displayName ? { displayName: input.displayName } : {}),
            now: deps.clock.now().toISOString(),
          },
        },
        { ...context, actor: userId },
      );
      user = state as RegisteredUser;
    } catch (error) {
      await deps.credentials.remove(userId);
      throw error;
    }
    // The account exists from here on: if the session cannot be started, logging in still works.
    const tokens = await start({ userId, scopes: USER_SCOPES });
    return { user, ...tokens };
  };
};
