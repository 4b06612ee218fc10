import { z } from 'zod';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { trackBody } from './expense.routes.js';
import { taskParams } from './tasks.routes.js';

/** OpenAPI descriptions of quick entry and tasks (the lead adds them to api-docs.ts). */
export const expenseDocs = (docs: ApiDocs) =>
  docs.add({
    method: 'post',
    path: '/api/expense/track',
    summary:
      "Quick entry: today's date in the user's time zone; category defaults to the plan's first flexible one (the month planned automatically first), else `other`",
    scope: 'write:transactions',
    headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
    body: trackBody,
    errors: [
      'invalid-money',
      'invalid-amount',
      'invalid-expense',
      'invalid-category',
      'too-many-categories',
      'month-not-planned',
    ],
    responses: {
      201: z.object({
        id: z.string(),
        amount: moneyOut,
        currency: z.string(),
        category: z.string(),
        date: z.string(),
        merchant: z.string().optional(),
        description: z.string().optional(),
        overspentBy: moneyOut.optional(),
        position: z.string().optional(),
      }),
    },
  });

export const taskDocs = (docs: ApiDocs) =>
  docs.add({
    method: 'get',
    path: '/api/tasks/:id',
    summary: 'A background task (CSV import): status, progress and the first 100 row errors',
    scope: 'read:transactions',
    params: taskParams,
    errors: ['task-not-found'],
    responses: {
      200: z.object({
        id: z.string(),
        kind: z.literal('import'),
        status: z.enum(['queued', 'running', 'done', 'failed']),
        progress: z.object({
          rows: z.number().int(),
          processed: z.number().int(),
          imported: z.number().int(),
          unchanged: z.number().int(),
          skipped: z.number().int(),
          rejected: z.number().int(),
        }),
        errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
        failure: z.string().optional(),
        position: z.string().optional(),
        createdAt: z.string(),
        updatedAt: z.string(),
      }),
    },
  });
