import { scrubPii } from '../../domain/categorization/scrub-pii.js';
import { type Category, parseCategory } from '../../domain/shared/category.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { formatMoney, parseCurrency } from '../../domain/shared/money.js';
import type { CategorizationRequest } from '../ports/categorizer.port.js';
import { type AiUsage, type ChatModel, ChatModelUnavailableError } from '../ports/chat-model.port.js';
import type { Clock } from '../ports/clock.port.js';

export interface LanguageModelDeps {
  readonly chat?: ChatModel;
  readonly aiUsage?: AiUsage;
  readonly clock: Clock;
  /** Calls per user per UTC day (categorization and narratives together); AI_DAILY_LIMIT by default. */
  readonly aiDailyLimit?: number;
}

export const AI_DAILY_LIMIT = 100;

export type ModelAnswer =
  | { readonly status: 'answered'; readonly text: string; readonly model: string }
  | { readonly status: 'off'; readonly reason: 'not-configured' | 'daily-limit-reached' | 'provider-failed' };

/**
 * One call to the language model within the user's daily budget. Never throws for the provider: a
 * failure (after the adapter's retries) is an answer saying so, and the caller goes on without it.
 */
export async function askModel(
  deps: LanguageModelDeps,
  userId: string,
  request: { system: string; user: string; maxTokens: number },
): Promise<ModelAnswer> {
  const { chat, aiUsage } = deps;
  if (!chat || !aiUsage) return { status: 'off', reason: 'not-configured' };
  const day = deps.clock.now().toISOString().slice(0, 10);
  if (!(await aiUsage.take(userId, day, deps.aiDailyLimit ?? AI_DAILY_LIMIT)))
    return { status: 'off', reason: 'daily-limit-reached' };
  try {
    return { status: 'answered', text: await chat.complete(request), model: chat.model };
  } catch (error) {
    if (error instanceof ChatModelUnavailableError) return { status: 'off', reason: 'provider-failed' };
    throw error;
  }
}

const SYSTEM = [
  'You categorize personal expenses for a budgeting app.',
  'Answer with JSON only: {"category": "<name>"}.',
  'Prefer one of the listed categories; otherwise a short lower-case name such as "pets" (letters, digits, "-").',
].join(' ');

/** The prompt holds only scrubbed text: no email, card number, IBAN, phone number or payee name. */
export function categorizationPrompt(request: CategorizationRequest, categories: readonly string[]): string {
  const lines = [
    `Categories: ${categories.join(', ')}`,
    ...(request.merchant ? [`Merchant: ${scrubPii(request.merchant)}`] : []),
    ...(request.description ? [`Description: ${scrubPii(request.description)}`] : []),
    ...(request.amount !== undefined && request.currency
      ? [
          `Amount: ${formatMoney({ amount: request.amount, currency: parseCurrency(request.currency) })} ${request.currency}`,
        ]
      : []),
  ];
  return lines.join('\n');
}

/** The category in the model's answer: JSON as asked, or a bare word; undefined when it is neither. */
export function categoryInAnswer(text: string): Category | undefined {
  let candidate = text.trim();
  const json = /\{[\s\S]*\}/.exec(candidate)?.[0];
  if (json) {
    try {
      const parsed = JSON.parse(json) as { category?: unknown };
      candidate = typeof parsed.category === 'string' ? parsed.category : '';
    } catch {
      candidate = '';
    }
  }
  const name = candidate
    .trim()
    .toLowerCase()
    .replace(/^["'`]+|["'`.]+$/g, '')
    .replace(/[\s/]+/g, '-');
  try {
    return parseCategory(name);
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}

export const CATEGORIZATION_SYSTEM_PROMPT = SYSTEM;
