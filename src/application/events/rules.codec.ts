import { z } from 'zod';
import type { RuleEvent } from '../../domain/categorization/rules.js';
import { createCodec, isoTimestamp } from './codec.js';

const fields = {
  ruleId: z.string(),
  pattern: z.string(),
  field: z.enum(['merchant', 'description', 'any']),
  match: z.enum(['contains', 'equals']),
  category: z.string(),
  priority: z.number().int(),
};

export const rulesCodec = createCodec<RuleEvent>({
  RuleAdded: {
    version: 1,
    schema: z.object({ ...fields, origin: z.enum(['user', 'correction']), addedAt: isoTimestamp }),
  },
  RuleChanged: { version: 1, schema: z.object({ ...fields, changedAt: isoTimestamp }) },
  RuleRemoved: { version: 1, schema: z.object({ ruleId: z.string(), removedAt: isoTimestamp }) },
});
