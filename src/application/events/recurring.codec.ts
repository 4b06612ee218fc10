import { z } from 'zod';
import type { RecurringEvent } from '../../domain/recurring/recurring.js';
import type { Category } from '../../domain/shared/category.js';
import type { LocalDate } from '../../domain/shared/local-date.js';
import { createCodec, isoTimestamp, minorUnits } from './codec.js';

const date = z.string().transform((s) => s as LocalDate);
const terms = {
  name: z.string(),
  amount: minorUnits,
  category: z.string().transform((s) => s as Category),
  schedule: z.object({
    frequency: z.enum(['weekly', 'monthly', 'yearly']),
    startDate: date,
    endDate: date.optional(),
  }),
};

export const recurringCodec = createCodec<RecurringEvent>({
  RecurringExpenseAdded: {
    version: 1,
    schema: z.object({ recurringId: z.string(), ...terms, addedAt: isoTimestamp, addedOn: date }),
  },
  RecurringExpenseChanged: {
    version: 1,
    schema: z.object({ recurringId: z.string(), ...terms, changedAt: isoTimestamp }),
  },
  RecurringExpenseRemoved: {
    version: 1,
    schema: z.object({ recurringId: z.string(), removedAt: isoTimestamp }),
  },
});
