import { userStream } from '../../domain/user/stream-name.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from './require-user.js';

/** What a user may change about themself; the email is the login name and never changes here. */
export interface ProfileChanges {
  readonly displayName?: string;
  readonly country?: string;
}

export const updateProfile =
  (deps: { users: UserHandler; clock: Clock }) =>
  async (input: { userId: string } & ProfileChanges, context: CommandContext): Promise<RegisteredUser> => {
    const user = await requireUser(deps.users, input.userId);
    const { state } = await deps.users.handle(
      userStream(user.userId),
      {
        type: 'UpdateProfile',
        data: {
          ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
          ...(input.country !== undefined ? { country: input.country } : {}),
          now: deps.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
    );
    return state as RegisteredUser;
  };
