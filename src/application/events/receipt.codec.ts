import { z } from 'zod';
import type { ReceiptEvent } from '../../domain/receipt/events.js';
import { createCodec, isoTimestamp, minorUnits } from './codec.js';

const reading = z.object({
  merchant: z.string().optional(),
  date: z.string().optional(),
  dateOrder: z.enum(['iso', 'day-first', 'month-first', 'named']).optional(),
  total: minorUnits.optional(),
  totalFrom: z.enum(['total-line', 'largest']).optional(),
  currency: z.string().optional(),
  items: z.array(z.object({ description: z.string(), amount: minorUnits })),
});

const suggestion = z.object({
  amount: minorUnits,
  currency: z.string(),
  date: z.string(),
  category: z.string(),
  categorizedBy: z.string(),
  merchant: z.string().optional(),
  confidence: z.number(),
});

export const receiptCodec = createCodec<ReceiptEvent>({
  ReceiptSubmitted: {
    version: 1,
    schema: z.object({
      receiptId: z.string(),
      userId: z.string(),
      contentType: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      submittedAt: isoTimestamp,
    }),
  },
  ReceiptRead: {
    version: 1,
    schema: z.object({
      run: z.number().int(),
      attempt: z.number().int(),
      engine: z.string(),
      text: z.string(),
      reading,
      suggestion: suggestion.optional(),
      readAt: isoTimestamp,
    }),
  },
  ReceiptReadFailed: {
    version: 1,
    schema: z.object({
      run: z.number().int(),
      attempt: z.number().int(),
      engine: z.string(),
      error: z.string(),
      final: z.boolean(),
      failedAt: isoTimestamp,
    }),
  },
  ReceiptReprocessRequested: {
    version: 1,
    schema: z.object({ run: z.number().int(), requestedAt: isoTimestamp }),
  },
  ReceiptConfirmed: {
    version: 1,
    schema: z.object({
      transactionId: z.string(),
      amount: minorUnits,
      currency: z.string(),
      date: z.string(),
      category: z.string(),
      merchant: z.string().optional(),
      automatic: z.boolean(),
      confirmedAt: isoTimestamp,
    }),
  },
});
