import { FALLBACK_CATEGORY } from '../../domain/budget-month/quick-entry.js';
import { normalizeText } from '../../domain/categorization/normalize.js';
import type { TransactionReadModel } from '../ports/transaction-read-model.port.js';

/** How many of the merchant's latest expenses are looked through for an exact name match. */
const LOOKBACK = 20;

/**
 * Tier 2: the category of the user's latest live expense at this merchant, as the transactions read
 * model has it now (so a corrected category is what is remembered). `other` teaches nothing.
 */
export function merchantMemory(transactions: TransactionReadModel) {
  return async (userId: string, merchant: string | undefined): Promise<string | undefined> => {
    const key = normalizeText(merchant ?? '');
    if (!key) return undefined;
    const page = await transactions.list(userId, { merchant: key }, { limit: LOOKBACK });
    const same = page.items.find((t) => normalizeText(t.merchant ?? '') === key);
    return same && same.category !== FALLBACK_CATEGORY ? same.category : undefined;
  };
}
