import { z } from 'zod';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { categoryString, dateString, moneyString, text } from '../validate.js';

export const goalParams = z.object({ id: z.uuid() });

export const createGoalBody = z.strictObject({
  id: z
    .uuid()
    .optional()
    .openapi({ description: 'Client-chosen id: the same id and terms again change nothing' }),
  name: text(100, 1),
  target: moneyString,
  targetDate: dateString.optional(),
});

export const updateGoalBody = z.strictObject({
  name: text(100, 1).optional(),
  target: moneyString.optional(),
  targetDate: dateString.nullable().optional(),
  status: z.literal('abandoned').optional().openapi({ description: 'Abandon the goal (its savings stay)' }),
  reason: text(200).optional(),
});

export const contributeBody = z.strictObject({
  id: text(128, 1)
    .optional()
    .openapi({ description: 'Client-chosen contribution id: the same id and fields again record nothing' }),
  amount: moneyString,
  date: dateString
    .optional()
    .openapi({ description: "The day it comes out of; default today (user's time zone)" }),
  category: categoryString
    .optional()
    .openapi({ description: 'The category it comes out of; default `savings`' }),
});

export const withdrawBody = z.strictObject({ id: text(128, 1).optional(), amount: moneyString });

const planningBody = z.strictObject({
  target: moneyString,
  current: moneyString.optional().openapi({ description: 'Already saved (default 0)' }),
  currency: text(3, 3)
    .optional()
    .openapi({ description: "Needed without an access token; with one, the user's currency is used" }),
  startDate: dateString.optional().openapi({
    description: "The plan's first day (default today in the user's time zone, UTC without a token)",
  }),
});
export const timelineBody = planningBody.extend({ monthly: moneyString });
export const reversePlanBody = planningBody.extend({ targetDate: dateString });

const feasibility = z.enum(['comfortable', 'achievable', 'stretch', 'unrealistic', 'unknown']).openapi({
  description:
    'The monthly saving against what the user can set aside (income minus average spending): at most half comfortable, 80 % achievable, all of it a stretch, more unrealistic; unknown without a token',
});
const capacityOut = z.object({
  monthly: moneyOut,
  basis: z.enum(['history', 'rule-50-30-20']),
  months: z.number().int(),
});
const planningOut = z.object({ currency: z.string(), start: z.string(), capacity: capacityOut.optional() });
const planningErrors = [
  'invalid-money',
  'invalid-date',
  'invalid-goal-plan',
  'unsupported-currency',
  'currency-mismatch',
  'user-not-found',
  'user-erased',
] as const;

export const goalOut = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'achieved', 'abandoned']),
  currency: z.string(),
  target: moneyOut,
  saved: moneyOut,
  contributed: moneyOut,
  withdrawn: moneyOut,
  remaining: moneyOut,
  progress: z.number().int().min(0).max(100),
  targetDate: z.string().optional(),
  milestones: z.array(z.object({ percent: z.number().int(), reachedAt: z.string() })),
  createdAt: z.string(),
  achievedAt: z.string().optional(),
  abandonedAt: z.string().optional(),
});

const goalWriteOut = goalOut.extend({ position: z.string().optional() });
const idempotencyHeader = z.object({ 'idempotency-key': z.string().min(1).max(255).optional() });
const goalErrors = ['invalid-money', 'invalid-goal', 'invalid-date', 'goal-closed'] as const;

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a declarative list of the routes' documents
export const goalDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'post',
      path: '/api/goals/calculate-timeline',
      summary:
        "Months needed to reach a target saving a monthly amount, the date, each milestone's date and how feasible it is (a Bearer token, optional, uses the user's own income, spending and time zone)",
      body: timelineBody,
      errors: [...planningErrors],
      responses: {
        200: planningOut.extend({
          monthsNeeded: z.number().int(),
          targetDate: z.string(),
          milestones: z.array(
            z.object({
              percent: z.number().int(),
              amount: moneyOut,
              month: z.number().int(),
              date: z.string(),
            }),
          ),
          feasibility,
        }),
      },
    },
    {
      method: 'post',
      path: '/api/goals/reverse-plan',
      summary:
        "The least monthly saving that reaches a target by a date, and alternatives (later dates, saving at capacity); a Bearer token, optional, uses the user's own numbers",
      body: reversePlanBody,
      errors: [...planningErrors],
      responses: {
        200: planningOut.extend({
          targetDate: z.string(),
          months: z.number().int(),
          requiredMonthly: moneyOut,
          feasibility,
          scenarios: z.array(
            z.object({
              name: z.enum([
                'as-planned',
                'three-months-later',
                'six-months-later',
                'a-year-later',
                'at-capacity',
              ]),
              months: z.number().int(),
              monthly: moneyOut,
              targetDate: z.string(),
              feasibility,
            }),
          ),
        }),
      },
    },
    {
      method: 'get',
      path: '/api/goals',
      summary: "The user's savings goals with their progress (always as of the user's last write)",
      scope: 'read:goals',
      responses: { 200: z.object({ goals: z.array(goalOut) }) },
    },
    {
      method: 'post',
      path: '/api/goals',
      summary: 'Create a savings goal',
      scope: 'write:goals',
      headers: idempotencyHeader,
      body: createGoalBody,
      errors: [...goalErrors, 'goal-id-conflict'],
      responses: { 201: goalWriteOut },
    },
    {
      method: 'put',
      path: '/api/goals/:id',
      summary: "Change a goal's name, target or target date, or abandon it",
      scope: 'write:goals',
      params: goalParams,
      body: updateGoalBody,
      errors: [...goalErrors, 'goal-not-found'],
      responses: { 200: goalWriteOut },
    },
    {
      method: 'post',
      path: '/api/goals/:id/contribute',
      summary:
        'Set money aside for a goal: recorded in the goal and, as an expense (source `goal`), in the day and category it comes out of',
      scope: 'write:goals',
      params: goalParams,
      headers: idempotencyHeader,
      body: contributeBody,
      errors: [
        ...goalErrors,
        'goal-not-found',
        'invalid-amount',
        'invalid-category',
        'contribution-id-conflict',
        'invalid-expense',
        'transaction-id-conflict',
        'transaction-in-other-month',
        'too-many-categories',
        'currency-mismatch',
        'month-full',
      ],
      responses: {
        201: z.object({
          goal: goalOut,
          contribution: z.object({
            id: z.string(),
            transactionId: z.string(),
            amount: moneyOut,
            date: z.string(),
            category: z.string(),
            overspentBy: moneyOut.optional(),
          }),
          position: z.string().optional(),
        }),
      },
    },
    {
      method: 'post',
      path: '/api/goals/:id/withdraw',
      summary: "Take money back out of a goal's savings (at most what it holds)",
      scope: 'write:goals',
      params: goalParams,
      body: withdrawBody,
      errors: [
        'invalid-money',
        'invalid-amount',
        'goal-not-found',
        'insufficient-savings',
        'contribution-id-conflict',
      ],
      responses: { 201: goalWriteOut },
    },
  );
