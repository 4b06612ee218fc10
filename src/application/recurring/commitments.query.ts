import type { FixedCommitment } from '../../domain/budget-month/fixed-commitments.js';
import { commitmentsIn } from '../../domain/recurring/commitments.js';
import { recurringDecider } from '../../domain/recurring/recurring.js';
import { recurringStream } from '../../domain/recurring/recurring-stream.js';
import type { YearMonth } from '../../domain/shared/local-date.js';
import { type CommandHandlerDeps, commandHandler } from '../command-handler.js';
import { recurringCodec } from '../events/recurring.codec.js';

/** What a user's recurring expenses have due in a month: the fixed allocations of a plan for it. */
export type CommitmentsOf = (userId: string, month: YearMonth) => Promise<FixedCommitment[]>;

export function commitmentsOf(deps: CommandHandlerDeps): CommitmentsOf {
  const recurring = commandHandler(deps, recurringDecider, recurringCodec);
  return async (userId, month) => {
    const { state } = await recurring.load(recurringStream(userId));
    return commitmentsIn([...state.entries.values()], month);
  };
}
