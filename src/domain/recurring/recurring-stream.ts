/** Stream names are a contract: a user's recurring expenses live in `recurring-<userId>`. */
export const recurringStream = (userId: string): string => `recurring-${userId}`;

const RECURRING_STREAM = /^recurring-([0-9a-fA-F-]{36})$/;

export function parseRecurringStream(stream: string): string | undefined {
  return RECURRING_STREAM.exec(stream)?.[1];
}
