import { z } from 'zod';
import type { BudgetMonthEvent } from '../../domain/budget-month/events.js';
import { createCodec, isoTimestamp, minorUnits } from './codec.js';

const text = z.string().optional();
const expenseFields = {
  transactionId: z.string(),
  day: z.string(),
  category: z.string(),
  amount: minorUnits,
  merchant: text,
  note: text,
};

export const budgetMonthCodec = createCodec<BudgetMonthEvent>({
  BudgetPlanned: {
    version: 1,
    schema: z.object({
      userId: z.string(),
      month: z.string(),
      currency: z.string(),
      income: minorUnits,
      categories: z.array(
        z.object({
          category: z.string(),
          amount: minorUnits,
          kind: z.enum(['flexible', 'fixed']),
          dueDay: z.number().int().optional(),
        }),
      ),
      splitAlgorithm: z.string(),
      plannedAt: isoTimestamp,
    }),
  },
  ExpenseRecorded: {
    version: 1,
    schema: z.object({
      ...expenseFields,
      source: z.enum(['manual', 'import', 'receipt', 'bank']),
      idempotencyKey: text,
      recordedAt: isoTimestamp,
    }),
  },
  ExpenseAmended: { version: 1, schema: z.object({ ...expenseFields, amendedAt: isoTimestamp }) },
  ExpenseVoided: {
    version: 1,
    schema: z.object({ transactionId: z.string(), reason: text, voidedAt: isoTimestamp }),
  },
  OverspendDetected: {
    version: 1,
    schema: z.object({ day: z.string(), category: z.string(), overBy: minorUnits, causedBy: z.string() }),
  },
});
