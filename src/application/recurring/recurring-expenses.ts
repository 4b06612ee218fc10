import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import {
  type RecurringExpense,
  type RecurringTerms,
  recurringDecider,
} from '../../domain/recurring/recurring.js';
import { recurringStream } from '../../domain/recurring/recurring-stream.js';
import type { Frequency } from '../../domain/recurring/schedule.js';
import { detectSubscriptions, type PastExpense } from '../../domain/recurring/subscription-detection.js';
import { parseCategory } from '../../domain/shared/category.js';
import { DomainError, fail } from '../../domain/shared/domain-error.js';
import { type LocalDate, localDateAt, monthOf, parseLocalDate } from '../../domain/shared/local-date.js';
import { formatMoney, money, parseMoney } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import { previousMonths } from '../budget/generate-plan.js';
import { type RecordExpenseDeps, recordExpense } from '../budget/record-expense.js';
import { type CommandContext, commandHandler } from '../command-handler.js';
import { trackWrites } from '../consistency/track-writes.js';
import { derivedUuid } from '../derived-id.js';
import { recurringCodec } from '../events/recurring.codec.js';
import type { EventStore, GlobalPosition } from '../ports/event-store.port.js';
import type { ErrorLogger } from '../ports/logger.port.js';
import type { RecurringDirectory } from '../ports/recurring-directory.port.js';
import type { WritePositions } from '../ports/write-positions.port.js';
import { requireUser } from '../users/require-user.js';
import { dueExpenses, isAlreadyRecorded } from './due-expenses.js';

export interface RecurringDeps extends RecordExpenseDeps {
  readonly store: EventStore;
  readonly writes: WritePositions;
  readonly recurringDirectory: RecurringDirectory;
  readonly logger: ErrorLogger;
}

export interface RecurringInput {
  readonly name?: string;
  readonly amount?: string;
  readonly category?: string;
  readonly frequency?: Frequency;
  readonly startDate?: string;
  readonly endDate?: string | null;
}

/** Months of history the subscription detection reads. */
const DETECTION_MONTHS = 6;
/** Users per batch of the scheduled run. */
const USERS_PER_BATCH = 500;

/** Recurring expenses in `recurring-<userId>`, recorded when due through the ordinary expense path. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a factory of the recurring-expense use cases, one closure each over the same handlers
export function createRecurringUseCases(ports: RecurringDeps) {
  const recurring = trackWrites(commandHandler(ports, recurringDecider, recurringCodec), ports.writes);
  const record = recordExpense(ports);
  const todayOf = (user: RegisteredUser) => localDateAt(ports.clock.now(), user.profile.timezone);

  /** Records what `entry` has due; a period already in the ledger is passed over. Idempotent. */
  const recordDue = async (user: RegisteredUser, entry: RecurringExpense, context: CommandContext) => {
    const recorded: { transactionId: string; date: LocalDate; position?: GlobalPosition }[] = [];
    for (const due of dueExpenses(entry, todayOf(user))) {
      try {
        const result = await record(
          {
            userId: user.userId,
            transactionId: due.transactionId,
            amount: formatMoney(money(due.amount, user.currency)),
            category: due.category,
            date: due.day,
            merchant: due.merchant,
            source: 'recurring',
          },
          context,
        );
        if (result.created) {
          recorded.push({
            transactionId: due.transactionId,
            date: due.day,
            ...(result.position ? { position: result.position } : {}),
          });
        }
      } catch (error) {
        if (isAlreadyRecorded(error)) continue;
        throw error;
      }
    }
    return recorded;
  };

  const termsOf = (
    input: RecurringInput,
    user: RegisteredUser,
    base?: RecurringTerms,
  ): Partial<RecurringTerms> => {
    const schedule =
      input.frequency === undefined && input.startDate === undefined && input.endDate === undefined
        ? undefined
        : {
            frequency: input.frequency ?? base?.schedule.frequency ?? 'monthly',
            startDate:
              input.startDate === undefined
                ? (base?.schedule.startDate ?? todayOf(user))
                : parseLocalDate(input.startDate),
            ...(input.endDate === null
              ? {}
              : input.endDate !== undefined
                ? { endDate: parseLocalDate(input.endDate) }
                : base?.schedule.endDate
                  ? { endDate: base.schedule.endDate }
                  : {}),
          };
    return {
      ...(input.name === undefined ? {} : { name: input.name.trim() }),
      ...(input.amount === undefined ? {} : { amount: parseMoney(input.amount, user.currency).amount }),
      ...(input.category === undefined ? {} : { category: parseCategory(input.category) }),
      ...(schedule ? { schedule } : {}),
    };
  };

  const addRecurring = async (
    input: RecurringInput & { userId: string; recurringId?: string; idempotencyKey?: string },
    context: CommandContext,
  ) => {
    const user = await requireUser(ports.users, input.userId);
    const recurringId =
      input.recurringId ??
      (input.idempotencyKey === undefined
        ? ports.ids.uuid()
        : derivedUuid('recurring-key', user.userId, input.idempotencyKey));
    const terms = termsOf({ frequency: 'monthly', ...input }, user);
    if (!terms.name || terms.amount === undefined || !terms.category || !terms.schedule) {
      return fail('invalid-recurring', 'A recurring expense has a name, an amount and a category');
    }
    const actor = { ...context, actor: user.userId };
    const handled = await recurring.handle(
      recurringStream(user.userId),
      {
        type: 'AddRecurring',
        data: {
          ...(terms as RecurringTerms),
          recurringId,
          today: todayOf(user),
          now: ports.clock.now().toISOString(),
        },
      },
      actor,
    );
    const entry = handled.state.entries.get(recurringId) as RecurringExpense;
    // What is due already (today's rent) is recorded now; the scheduled job records the rest.
    const recorded = await recordDue(user, entry, actor);
    return {
      entry,
      recorded,
      currency: user.currency,
      today: todayOf(user),
      changed: handled.events.length > 0,
      position: recorded.at(-1)?.position ?? handled.position,
    };
  };

  const changeRecurring = async (
    input: RecurringInput & { userId: string; recurringId: string },
    context: CommandContext,
  ) => {
    const user = await requireUser(ports.users, input.userId);
    const { state } = await recurring.load(recurringStream(user.userId));
    const base = state.entries.get(input.recurringId);
    if (!base || base.removed) return fail('recurring-not-found', 'No such recurring expense');
    const handled = await recurring.handle(
      recurringStream(user.userId),
      {
        type: 'ChangeRecurring',
        data: {
          ...termsOf(input, user, base),
          recurringId: input.recurringId,
          now: ports.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
    );
    return {
      entry: handled.state.entries.get(input.recurringId) as RecurringExpense,
      currency: user.currency,
      today: todayOf(user),
      position: handled.position,
    };
  };

  const removeRecurring = async (input: { userId: string; recurringId: string }, context: CommandContext) => {
    const user = await requireUser(ports.users, input.userId);
    const handled = await recurring.handle(
      recurringStream(user.userId),
      {
        type: 'RemoveRecurring',
        data: { recurringId: input.recurringId, now: ports.clock.now().toISOString() },
      },
      { ...context, actor: user.userId },
    );
    return { position: handled.position };
  };

  /** The user's recurring expenses, and what their history suggests adding. */
  const listRecurring = async (userId: string) => {
    const user = await requireUser(ports.users, userId);
    const { state } = await recurring.load(recurringStream(user.userId));
    const entries = [...state.entries.values()].filter((e) => !e.removed);
    const month = monthOf(todayOf(user));
    const months = [month, ...previousMonths(month, DETECTION_MONTHS - 1)];
    const loaded = await Promise.all(
      months.map((m) => ports.budgets.load(budgetMonthStream(user.userId, m))),
    );
    const history: PastExpense[] = loaded.flatMap(({ state: m }) =>
      [...m.transactions.values()].filter((t) => !t.voided && t.source !== 'goal').map((t) => t.current),
    );
    const suggestions = detectSubscriptions(
      history,
      entries.map((e) => e.name),
    );
    return { currency: user.currency, today: todayOf(user), entries, suggestions };
  };

  /** The scheduled job: every user's due recurring expenses, recorded once whatever the number of runs. */
  const recordDueRecurring = async (): Promise<{ users: number; recorded: number }> => {
    let after: string | undefined;
    let users = 0;
    let recorded = 0;
    for (;;) {
      const batch = await ports.recurringDirectory.usersWithRecurring(after, USERS_PER_BATCH);
      for (const { userId } of batch) {
        try {
          const user = await requireUser(ports.users, userId);
          const { state } = await recurring.load(recurringStream(userId));
          for (const entry of state.entries.values()) {
            const context = { correlationId: `recurring-${entry.recurringId}`, actor: 'system:recurring' };
            recorded += (await recordDue(user, entry, context)).length;
          }
        } catch (error) {
          // One user's refusal (a full month, an erased user) never stops the others'.
          if (!(error instanceof DomainError)) throw error;
          ports.logger.error({ err: error, userId }, 'recurring expenses not recorded');
        }
        users += 1;
      }
      if (batch.length < USERS_PER_BATCH) return { users, recorded };
      after = batch.at(-1)?.userId;
    }
  };

  return { addRecurring, changeRecurring, removeRecurring, listRecurring, recordDueRecurring };
}
