import { FALLBACK_CATEGORY } from '../../domain/budget-month/quick-entry.js';
import { KEYWORD_CATEGORIES } from '../../domain/categorization/keywords.js';
import { matchRule } from '../../domain/categorization/rule-matching.js';
import { rulesStream } from '../../domain/categorization/stream-name.js';
import type { CatchingUp, ReadConsistency } from '../consistency/read-your-writes.js';
import type { Categorization, CategorizationRequest, Categorizer } from '../ports/categorizer.port.js';
import type { TransactionReadModel } from '../ports/transaction-read-model.port.js';
import { keywordOrDefault } from './keyword-categorizer.js';
import {
  askModel,
  CATEGORIZATION_SYSTEM_PROMPT,
  categorizationPrompt,
  categoryInAnswer,
  type LanguageModelDeps,
} from './llm-tier.js';
import { merchantMemory } from './merchant-memory.js';
import type { RulesHandler } from './rules.js';

export interface SmartCategorizerDeps extends LanguageModelDeps {
  readonly rules: RulesHandler;
  readonly transactions: TransactionReadModel;
  /** Read-your-writes: waits (bounded) until the read models reflect the user's last write. */
  readonly settle?: (
    models: readonly CatchingUp[],
    userId: string,
    read: ReadConsistency,
  ) => Promise<boolean>;
}

/** How sure each tier is (the port's `confidence`). */
const CONFIDENCE = { rule: 1, memory: 0.9, llm: 0.7 } as const;

/**
 * The categorization tiers, first answer wins: the user's rules, the merchant memory, the language
 * model (when configured, within the daily limit, and only when there is text to go on), the built-in
 * keywords, `other`. A provider failure only moves the decision to the next tier.
 */
export function smartCategorizer(deps: SmartCategorizerDeps): Categorizer {
  const memory = merchantMemory(deps.transactions);
  return {
    async categorize(request: CategorizationRequest): Promise<Categorization> {
      const { state } = await deps.rules.load(rulesStream(request.userId));
      const rule = matchRule(state.rules.values(), request);
      if (rule) {
        return {
          category: rule.category,
          categorizedBy: 'rule',
          confidence: CONFIDENCE.rule,
          ruleId: rule.ruleId,
        };
      }
      // The memory is the user's own history: it must include the expense they recorded a moment ago.
      if (request.merchant) await deps.settle?.([deps.transactions], request.userId, {});
      const remembered = await memory(request.userId, request.merchant);
      if (remembered)
        return { category: remembered, categorizedBy: 'merchant-memory', confidence: CONFIDENCE.memory };
      if (request.merchant || request.description) {
        const categories = [
          ...new Set([...(request.knownCategories ?? []), ...KEYWORD_CATEGORIES, FALLBACK_CATEGORY]),
        ];
        const answer = await askModel(deps, request.userId, {
          system: CATEGORIZATION_SYSTEM_PROMPT,
          user: categorizationPrompt(request, categories),
          maxTokens: 30,
        });
        const category = answer.status === 'answered' ? categoryInAnswer(answer.text) : undefined;
        // `other` from the model means it does not know: the keywords may still.
        if (category && category !== FALLBACK_CATEGORY) {
          return { category, categorizedBy: 'llm', confidence: CONFIDENCE.llm };
        }
      }
      return keywordOrDefault(request);
    },
  };
}
