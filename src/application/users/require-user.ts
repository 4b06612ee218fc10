import { fail } from '../../domain/shared/domain-error.js';
import { userStream } from '../../domain/user/stream-name.js';
import type { RegisteredUser, UserCommand, UserEvent, UserState } from '../../domain/user/user.js';
import type { CommandHandler } from '../command-handler.js';

export type UserHandler = CommandHandler<UserCommand, UserEvent, UserState>;

export async function requireUser(users: UserHandler, userId: string): Promise<RegisteredUser> {
  const { state } = await users.load(userStream(userId));
  if (state.status !== 'registered') return fail('user-not-found', 'No such user');
  return state;
}
