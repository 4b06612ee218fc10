import { z } from 'zod';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { monthString } from '../validate.js';

export const recommendBody = z.strictObject({
  month: monthString.optional().openapi({ description: "Default the user's current month" }),
});

const scoreOut = z.object({
  month: z.string(),
  score: z.number().int().min(0).max(100),
  components: z.array(
    z.object({
      name: z.enum(['savings-rate', 'spending-consistency', 'emergency-fund', 'goal-progress']),
      score: z.number().int().min(0).max(100),
      weight: z.number().int(),
    }),
  ),
});

export const financialDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'post',
      path: '/api/budget/recommend',
      summary:
        '50/30/20 of the income, adjusted: needs raised to what the last 3 months and recurring expenses cost, savings raised (from wants) to what the goals need by their dates; needs + wants + savings = income',
      scope: 'read:budget',
      body: recommendBody,
      errors: ['invalid-month'],
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          income: moneyOut,
          needs: moneyOut,
          wants: moneyOut,
          savings: moneyOut,
          needed: z.object({ goals: moneyOut, recurring: moneyOut }),
          historyMonths: z.number().int(),
          adjustments: z.array(z.enum(['needs-from-history', 'savings-for-goals', 'goals-exceed-income'])),
        }),
      },
    },
    {
      method: 'get',
      path: '/api/financial/health-score',
      summary:
        'A 0-100 score with its components (savings rate 30 %, spending consistency 20 %, emergency fund 25 %, goal progress 25 %), and the same for each of the last 6 months with activity',
      scope: 'read:budget',
      responses: {
        200: z.object({ currency: z.string(), current: scoreOut.optional(), history: z.array(scoreOut) }),
      },
    },
  );
