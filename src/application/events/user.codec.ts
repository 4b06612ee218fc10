import { z } from 'zod';
import type { UserEvent } from '../../domain/user/user.js';
import { createCodec, isoTimestamp, minorUnits } from './codec.js';

const rollover = z.enum(['forward', 'savings', 'none']);
const autoPlan = z.enum(['previous', 'suggested', 'none']);

export const userCodec = createCodec<UserEvent>({
  UserRegistered: {
    version: 1,
    schema: z.object({
      userId: z.string(),
      email: z.string(),
      displayName: z.string().optional(),
      country: z.string(),
      timezone: z.string(),
      rolloverPolicy: rollover.optional(),
      autoPlan: autoPlan.optional(),
      currency: z.string(),
      income: minorUnits,
      registeredAt: isoTimestamp,
    }),
  },
  ProfileUpdated: {
    version: 1,
    schema: z.object({
      displayName: z.string().optional(),
      country: z.string().optional(),
      timezone: z.string().optional(),
      rolloverPolicy: rollover.optional(),
      autoPlan: autoPlan.optional(),
      updatedAt: isoTimestamp,
    }),
  },
  IncomeChanged: { version: 1, schema: z.object({ income: minorUnits, changedAt: isoTimestamp }) },
  UserErased: { version: 1, schema: z.object({ erasedAt: isoTimestamp, by: z.string() }) },
});
