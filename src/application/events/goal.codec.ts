import { z } from 'zod';
import type { GoalEvent } from '../../domain/goal/goal-events.js';
import type { GoalListed } from '../../domain/goal/goal-index.js';
import type { Category } from '../../domain/shared/category.js';
import type { LocalDate } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import { createCodec, isoTimestamp, minorUnits } from './codec.js';

const date = z.string().transform((s) => s as LocalDate);

export const goalCodec = createCodec<GoalEvent>({
  GoalCreated: {
    version: 1,
    schema: z.object({
      goalId: z.string(),
      userId: z.string(),
      name: z.string(),
      target: minorUnits,
      currency: z.string().transform((s) => s as Currency),
      targetDate: date.optional(),
      createdAt: isoTimestamp,
    }),
  },
  GoalUpdated: {
    version: 1,
    schema: z.object({
      name: z.string(),
      target: minorUnits,
      targetDate: date.optional(),
      updatedAt: isoTimestamp,
    }),
  },
  GoalContributed: {
    version: 1,
    schema: z.object({
      contributionId: z.string(),
      amount: minorUnits,
      day: date,
      category: z.string().transform((s) => s as Category),
      transactionId: z.string(),
      contributedAt: isoTimestamp,
    }),
  },
  GoalWithdrawn: {
    version: 1,
    schema: z.object({ withdrawalId: z.string(), amount: minorUnits, withdrawnAt: isoTimestamp }),
  },
  GoalMilestoneReached: {
    version: 1,
    schema: z.object({
      percent: z.union([z.literal(25), z.literal(50), z.literal(75), z.literal(100)]),
      saved: minorUnits,
      reachedAt: isoTimestamp,
    }),
  },
  GoalAchieved: { version: 1, schema: z.object({ saved: minorUnits, achievedAt: isoTimestamp }) },
  GoalAbandoned: {
    version: 1,
    schema: z.object({ reason: z.string().optional(), abandonedAt: isoTimestamp }),
  },
});

export const goalIndexCodec = createCodec<GoalListed>({
  GoalListed: { version: 1, schema: z.object({ goalId: z.string(), listedAt: isoTimestamp }) },
});
