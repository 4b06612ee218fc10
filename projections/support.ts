export { budgetStreamOwner } from '../src/domain/budget-month/stream-name.js';

/** Replaces `$.` with the generation's schema: `sql('SELECT * FROM $.cells')`. */
export const sqlFor =
  (schema: string) =>
  (text: string): string =>
    text.replaceAll('$.', `${schema}.`);
