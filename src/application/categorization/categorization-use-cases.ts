import { rulesDecider } from '../../domain/categorization/rules.js';
import { rulesStream } from '../../domain/categorization/stream-name.js';
import { parseMoney } from '../../domain/shared/money.js';
import type { AmendExpenseInput, AmendExpenseResult } from '../budget/amend-expense.js';
import { type CommandContext, type CommandHandlerDeps, commandHandler } from '../command-handler.js';
import { rulesCodec } from '../events/rules.codec.js';
import type { Categorization } from '../ports/categorizer.port.js';
import type { ErrorLogger } from '../ports/logger.port.js';
import type { PersonalDataScrubber } from '../ports/personal-data-scrubber.port.js';
import type { TransactionReadModel } from '../ports/transaction-read-model.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { LanguageModelDeps } from './llm-tier.js';
import { listRules, ruleCommands } from './rules.js';
import { type SmartCategorizerDeps, smartCategorizer } from './smart-categorizer.js';

export interface CategorizationDeps
  extends CommandHandlerDeps,
    LanguageModelDeps,
    Pick<SmartCategorizerDeps, 'settle'> {
  readonly users: UserHandler;
  readonly transactions: TransactionReadModel;
  readonly logger: ErrorLogger;
}

export interface CategorizeInput {
  readonly userId: string;
  readonly merchant?: string;
  readonly description?: string;
  /** Decimal string in the user's currency. */
  readonly amount?: string;
}

/** Rules, the categorizer every expense write asks, and the learning loop of corrections. */
export function createCategorizationUseCases(deps: CategorizationDeps) {
  const rules = commandHandler(deps, rulesDecider, rulesCodec);
  const categorizer = smartCategorizer({ ...deps, rules });
  const commands = ruleCommands({ ...deps, rules });

  /** A PUT that changed an expense's category teaches the rules: the next such expense goes there. */
  const learn = async (
    input: AmendExpenseInput,
    before: string | undefined,
    result: AmendExpenseResult,
    context: CommandContext,
  ) => {
    const { merchant, note, category } = result.fields;
    if (input.changes.category === undefined || !result.changed || before === category) return;
    await rules.handle(
      rulesStream(input.userId),
      {
        type: 'LearnFromCorrection',
        data: {
          ruleId: deps.ids.uuid(),
          ...(merchant ? { merchant } : {}),
          ...(note ? { description: note } : {}),
          category,
          now: deps.clock.now().toISOString(),
        },
      },
      { ...context, actor: input.userId },
    );
  };

  return {
    categorizer,
    /** An erased user's decrypted rules leave the handler's cache with their key. */
    cachedRules: {
      name: 'cached-rules',
      scrub: async (userId: string) => ({
        rows: rules.forget((stream) => stream === rulesStream(userId)),
        settled: true,
      }),
    } satisfies PersonalDataScrubber,
    listRules: listRules({ ...deps, rules }),
    ...commands,
    /** POST /api/ai/categorize: what the tiers would decide, without recording anything. */
    categorize: async (input: CategorizeInput): Promise<Categorization> => {
      const user = await requireUser(deps.users, input.userId);
      return categorizer.categorize({
        userId: user.userId,
        ...(input.merchant ? { merchant: input.merchant } : {}),
        ...(input.description ? { description: input.description } : {}),
        ...(input.amount === undefined ? {} : { amount: parseMoney(input.amount, user.currency).amount }),
        currency: user.currency,
      });
    },
    /**
     * Wraps amendExpense with the learning loop. Learning is best effort: the amendment has landed, so a
     * failure to learn is logged, never the answer.
     */
    learningFrom:
      <I extends AmendExpenseInput, R extends AmendExpenseResult>(
        amend: (input: I, context: CommandContext) => Promise<R>,
      ) =>
      async (input: I, context: CommandContext): Promise<R> => {
        const before =
          input.changes.category === undefined
            ? undefined
            : (await deps.transactions.get(input.userId, input.transactionId))?.category;
        const result = await amend(input, context);
        await learn(input, before, result, context).catch((error: unknown) =>
          deps.logger.error({ err: error, userId: input.userId }, 'learning a rule from a correction failed'),
        );
        return result;
      },
  };
}
