import { z } from 'zod';
import { consistencyHeaders, consistencyQuery } from '../context.js';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { categorizeBody, driftQuery, predictBody } from './insights.routes.js';

const narrativeOut = z
  .union([
    z.object({ status: z.literal('on'), text: z.string(), model: z.string() }),
    z.object({
      status: z.literal('off'),
      reason: z.enum(['not-configured', 'daily-limit-reached', 'provider-failed']),
    }),
  ])
  .openapi({
    description:
      "A language model's summary of the computed facts above (only those: no merchant names, notes or other personal data are sent). `off` says why there is none: no OPENAI_API_KEY/OPENAI_BASE_URL, the daily limit reached, or the provider failing",
  });

const forecastOut = z.object({
  daysElapsed: z.number().int(),
  daysInMonth: z.number().int(),
  allocated: moneyOut,
  spentSoFar: moneyOut,
  dailyRate: moneyOut,
  projected: moneyOut,
  overspend: moneyOut,
  willOverspend: z.boolean(),
  categories: z.array(
    z.object({
      category: z.string(),
      allocated: moneyOut,
      spentSoFar: moneyOut,
      projected: moneyOut,
      overspend: moneyOut,
    }),
  ),
});
const driftOut = z.array(
  z.object({
    category: z.string(),
    spentSoFar: moneyOut,
    projected: moneyOut,
    baseline: moneyOut,
    changePercent: z.number().nullable(),
    direction: z.enum(['up', 'down', 'steady', 'new']),
    drifted: z.boolean(),
  }),
);
const anomaliesOut = z.array(
  z.object({
    day: z.string(),
    spent: moneyOut,
    typical: moneyOut,
    score: z.number().openapi({ description: 'Robust z-score: (spent - median day) / (MAD / 0.6745)' }),
  }),
);
const weekdaysOut = z.object({
  byWeekday: z.array(
    z.object({
      weekday: z.number().int().openapi({ description: '0 = Sunday' }),
      averageSpent: moneyOut,
      days: z.number().int(),
    }),
  ),
  weekdayAverage: moneyOut,
  weekendAverage: moneyOut,
  weekendRatio: z.number().nullable(),
});
const recurringOut = z.array(
  z.object({
    merchant: z.string(),
    category: z.string(),
    cadence: z.enum(['weekly', 'monthly', 'yearly']),
    typicalAmount: moneyOut,
    occurrences: z.number().int(),
    lastDay: z.string(),
    nextExpected: z.string(),
  }),
);

/** OpenAPI descriptions of categorization on demand and the insight endpoints. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a declarative list of the routes' documents
export const insightDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'post',
      path: '/api/ai/categorize',
      summary:
        'The category the tiers would give an expense (your rules, merchant memory, the language model with personal data removed, keywords, `other`); records nothing',
      scope: 'read:transactions',
      body: categorizeBody,
      errors: ['invalid-money'],
      responses: {
        200: z.object({
          category: z.string(),
          categorizedBy: z.enum(['rule', 'merchant-memory', 'llm', 'keywords', 'default']),
          confidence: z.number(),
          ruleId: z.string().optional(),
        }),
      },
    },
    {
      method: 'get',
      path: '/api/ai/insights',
      summary:
        'Computed facts (month-end forecast, category drift, anomalous days, weekday pattern, recurring charges) and an optional narrative',
      scope: 'read:analytics',
      query: consistencyQuery,
      headers: consistencyHeaders,
      responses: {
        200: z.object({
          month: z.string(),
          today: z.string(),
          currency: z.string(),
          forecast: forecastOut,
          drift: driftOut,
          anomalies: anomaliesOut,
          weekdays: weekdaysOut,
          recurring: recurringOut,
          narrative: narrativeOut,
        }),
      },
    },
    {
      method: 'get',
      path: '/api/ai/advice',
      summary: 'Advice computed from the facts, most urgent first, and an optional narrative',
      scope: 'read:analytics',
      query: consistencyQuery,
      headers: consistencyHeaders,
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          advice: z.array(
            z.object({
              kind: z.enum([
                'forecast-overspend',
                'category-overspend',
                'category-drift',
                'anomalous-day',
                'recurring-charges',
                'weekend-spending',
              ]),
              category: z.string().optional(),
              amount: moneyOut.optional(),
              message: z.string(),
            }),
          ),
          narrative: narrativeOut,
        }),
      },
    },
    {
      method: 'post',
      path: '/api/ai/predict',
      summary: "This month's end at its pace so far: total and per category against the budget",
      scope: 'read:analytics',
      query: consistencyQuery,
      headers: consistencyHeaders,
      body: predictBody,
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          forecast: forecastOut,
          narrative: narrativeOut,
        }),
      },
    },
    {
      method: 'get',
      path: '/api/behavior/patterns',
      summary: 'Weekday/weekend pattern and anomalous days of the last 90 days; subscription-like charges',
      scope: 'read:analytics',
      query: consistencyQuery,
      headers: consistencyHeaders,
      responses: {
        200: z.object({
          today: z.string(),
          currency: z.string(),
          weekdays: weekdaysOut,
          anomalies: anomaliesOut,
          recurring: recurringOut,
          narrative: narrativeOut,
        }),
      },
    },
    {
      method: 'get',
      path: '/api/drift/detect',
      summary: "Each category's spending this month (at its pace) against its median of the previous months",
      scope: 'read:analytics',
      query: driftQuery.extend(consistencyQuery.shape),
      headers: consistencyHeaders,
      responses: {
        200: z.object({
          month: z.string(),
          currency: z.string(),
          baselineMonths: z.number().int(),
          drift: driftOut,
          narrative: narrativeOut,
        }),
      },
    },
  );
