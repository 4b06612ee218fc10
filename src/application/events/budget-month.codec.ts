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

const cellRef = z.object({ day: z.string(), category: z.string() });
const cellMove = z.object({ day: z.string(), category: z.string(), amount: minorUnits });
const plannedCategories = z.array(
  z.object({
    category: z.string(),
    amount: minorUnits,
    kind: z.enum(['flexible', 'fixed']),
    dueDay: z.number().int().optional(),
  }),
);
const planReason = z.enum(['manual', 'auto-previous', 'auto-suggested']).optional();

export const budgetMonthCodec = createCodec<BudgetMonthEvent>({
  BudgetPlanned: {
    version: 1,
    schema: z.object({
      userId: z.string(),
      month: z.string(),
      currency: z.string(),
      income: minorUnits,
      categories: plannedCategories,
      splitAlgorithm: z.string(),
      reason: planReason,
      plannedAt: isoTimestamp,
    }),
  },
  BudgetReplanned: {
    version: 1,
    schema: z.object({
      effectiveFrom: z.string(),
      income: minorUnits,
      categories: plannedCategories,
      splitAlgorithm: z.string(),
      moves: z.array(cellMove),
      reason: planReason,
      replannedAt: isoTimestamp,
    }),
  },
  ExpenseRecorded: {
    version: 1,
    schema: z.object({
      ...expenseFields,
      currency: z.string().optional(),
      source: z.enum(['manual', 'import', 'receipt', 'bank', 'goal', 'recurring']),
      // Optional: events from before categorization (issue 15) have none, and still decode as v1.
      categorizedBy: z.enum(['rule', 'merchant-memory', 'llm', 'keywords', 'default']).optional(),
      idempotencyKey: text,
      recordedAt: isoTimestamp,
    }),
  },
  ExpenseAmended: { version: 1, schema: z.object({ ...expenseFields, amendedAt: isoTimestamp }) },
  ExpenseVoided: {
    version: 1,
    schema: z.object({
      transactionId: z.string(),
      reason: text,
      movedTo: z.object({ day: z.string(), category: z.string(), amount: minorUnits }).optional(),
      movedMerchant: text,
      movedNote: text,
      voidedAt: isoTimestamp,
    }),
  },
  BudgetRebalanced: {
    version: 1,
    schema: z.object({
      coveredDay: z.string(),
      category: z.string(),
      amount: minorUnits,
      moves: z.array(cellMove),
      algorithm: z.string(),
      causedBy: z.string(),
      rebalancedAt: isoTimestamp,
    }),
  },
  MonthOverdrawn: {
    version: 1,
    schema: z.object({
      day: z.string(),
      category: z.string(),
      shortfall: minorUnits,
      causedBy: z.string(),
      detectedAt: isoTimestamp,
    }),
  },
  ShortfallReduced: {
    version: 1,
    schema: z.object({
      day: z.string(),
      category: z.string(),
      amount: minorUnits,
      transactionId: z.string().optional(),
      reducedAt: isoTimestamp,
    }),
  },
  AllocationAdjusted: {
    version: 1,
    schema: z.object({
      from: cellRef,
      to: cellRef,
      amount: minorUnits,
      reason: text,
      adjustedAt: isoTimestamp,
    }),
  },
  DayClosed: {
    version: 1,
    schema: z.object({
      day: z.string(),
      policy: z.enum(['forward', 'savings', 'none']),
      moves: z.array(cellMove),
      saved: minorUnits,
      algorithm: z.string(),
      closedAt: isoTimestamp,
    }),
  },
  OverspendDetected: {
    version: 1,
    schema: z.object({ day: z.string(), category: z.string(), overBy: minorUnits, causedBy: z.string() }),
  },
});
