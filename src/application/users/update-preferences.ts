import type { AutoPlanPreference } from '../../domain/budget-month/auto-plan.js';
import type { RolloverPolicy } from '../../domain/budget-month/events.js';
import { userStream } from '../../domain/user/stream-name.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CommandContext } from '../command-handler.js';
import type { Clock } from '../ports/clock.port.js';
import { requireUser, type UserHandler } from './require-user.js';

export interface Preferences {
  readonly rolloverPolicy?: RolloverPolicy;
  readonly timezone?: string;
  readonly autoPlan?: AutoPlanPreference;
}

export const updatePreferences =
  (deps: { users: UserHandler; clock: Clock }) =>
  async (input: { userId: string } & Preferences, context: CommandContext): Promise<RegisteredUser> => {
    const user = await requireUser(deps.users, input.userId);
    const { state } = await deps.users.handle(
      userStream(user.userId),
      {
        type: 'UpdateProfile',
        data: {
          ...(input.rolloverPolicy ? { rolloverPolicy: input.rolloverPolicy } : {}),
          ...(input.timezone ? { timezone: input.timezone } : {}),
          ...(input.autoPlan ? { autoPlan: input.autoPlan } : {}),
          now: deps.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
    );
    return state as RegisteredUser;
  };
