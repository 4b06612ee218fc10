import { z } from 'zod';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { categoryString, dateString, moneyString, text } from '../validate.js';

export const recurringParams = z.object({ id: z.uuid() });
const frequency = z.enum(['weekly', 'monthly', 'yearly']);

export const addRecurringBody = z.strictObject({
  id: z
    .uuid()
    .optional()
    .openapi({ description: 'Client-chosen id: the same id and terms again change nothing' }),
  name: text(100, 1).openapi({ description: 'What it is (rent, a subscription): recorded as the merchant' }),
  amount: moneyString,
  category: categoryString,
  frequency: frequency.optional().openapi({ description: 'Default monthly' }),
  startDate: dateString
    .optional()
    .openapi({ description: "The first due day (default today in the user's time zone)" }),
  endDate: dateString.optional(),
});

export const changeRecurringBody = z.strictObject({
  name: text(100, 1).optional(),
  amount: moneyString.optional(),
  category: categoryString.optional(),
  frequency: frequency.optional(),
  startDate: dateString.optional(),
  endDate: dateString.nullable().optional(),
});

const recurringOut = z.object({
  id: z.string(),
  name: z.string(),
  amount: moneyOut,
  category: z.string(),
  frequency,
  startDate: z.string(),
  endDate: z.string().optional(),
  nextDue: z.string().optional(),
});

const recurringErrors = ['invalid-money', 'invalid-category', 'invalid-date', 'invalid-recurring'] as const;

export const recurringDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/expense/recurring',
      summary:
        "The user's recurring expenses, and likely subscriptions their history suggests adding (a merchant paid 3+ times at a steady weekly or monthly interval and amount)",
      scope: 'read:transactions',
      responses: {
        200: z.object({
          currency: z.string(),
          recurring: z.array(recurringOut),
          suggestions: z.array(
            z.object({
              name: z.string(),
              amount: moneyOut,
              category: z.string(),
              frequency: z.enum(['weekly', 'monthly']),
              occurrences: z.number().int(),
              lastDate: z.string(),
            }),
          ),
        }),
      },
    },
    {
      method: 'post',
      path: '/api/expense/recurring',
      summary:
        'Add a recurring expense; what is due today is recorded at once (source `recurring`), later ones by an hourly job, each period once',
      scope: 'write:transactions',
      headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      body: addRecurringBody,
      errors: [
        ...recurringErrors,
        'too-many-categories',
        'currency-mismatch',
        'invalid-expense',
        'invalid-amount',
      ],
      responses: {
        201: recurringOut.extend({
          recorded: z.array(z.object({ transactionId: z.string(), date: z.string() })),
          position: z.string().optional(),
        }),
      },
    },
    {
      method: 'put',
      path: '/api/expense/recurring/:id',
      summary: "Change a recurring expense's terms (from its next occurrence on)",
      scope: 'write:transactions',
      params: recurringParams,
      body: changeRecurringBody,
      errors: [...recurringErrors, 'recurring-not-found'],
      responses: { 200: recurringOut.extend({ position: z.string().optional() }) },
    },
    {
      method: 'delete',
      path: '/api/expense/recurring/:id',
      summary: 'Stop a recurring expense (what it recorded stays)',
      scope: 'write:transactions',
      params: recurringParams,
      errors: ['recurring-not-found'],
      responses: { 204: undefined },
    },
  );
