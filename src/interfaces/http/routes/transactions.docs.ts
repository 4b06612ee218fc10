import { z } from 'zod';
import { consistencyHeaders, consistencyQuery } from '../context.js';
import { type ApiDocs, moneyOut } from '../openapi.js';
import {
  amendBody,
  bulkBody,
  filterQuery,
  idParams,
  ifMatchHeaders,
  listQuery,
  transactionBody,
} from './transactions.schemas.js';

const transactionOut = z.object({
  id: z.string(),
  amount: moneyOut,
  currency: z.string(),
  category: z.string(),
  /** Which categorization tier chose the category, when the request named none. */
  categorizedBy: z.enum(['rule', 'merchant-memory', 'llm', 'keywords', 'default']).optional(),
  date: z.string(),
  merchant: z.string().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  status: z.enum(['recorded', 'voided']).optional(),
  overspentBy: moneyOut.optional(),
  position: z.string().optional(),
});

const idempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(255).optional(),
});

/** OpenAPI descriptions of every /api/transactions route (the lead adds them to api-docs.ts). */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a declarative list of the routes' documents
export const transactionDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/transactions',
      summary: 'List expenses, newest first, with filters and cursor pages',
      scope: 'read:transactions',
      query: listQuery,
      headers: consistencyHeaders,
      errors: ['invalid-money', 'invalid-date', 'invalid-category'],
      responses: {
        200: z.object({ items: z.array(transactionOut), nextCursor: z.string().optional() }),
      },
    },
    {
      method: 'get',
      path: '/api/transactions/export',
      summary: 'The same filters as a streamed CSV file',
      scope: 'read:transactions',
      query: filterQuery,
      headers: consistencyHeaders,
      errors: ['invalid-money', 'invalid-date', 'invalid-category'],
      responses: { 200: { contentType: 'text/csv', description: 'RFC 4180 CSV, one expense per row' } },
    },
    {
      method: 'get',
      path: '/api/transactions/:id',
      summary: "One expense (voided ones too); another user's id is a 404",
      scope: 'read:transactions',
      params: idParams,
      query: consistencyQuery,
      headers: consistencyHeaders,
      errors: ['transaction-not-found'],
      responses: { 200: transactionOut },
      responseHeaders: {
        ETag: { description: 'The version of the expense, for If-Match on PUT and DELETE' },
      },
    },
    {
      method: 'post',
      path: '/api/transactions',
      summary:
        'Record an expense (Idempotency-Key: a retry gets the first response). A month without a plan gets its automatic one; a category the plan does not name joins the month',
      scope: 'write:transactions',
      headers: idempotencyHeader,
      body: transactionBody,
      errors: [
        'invalid-money',
        'invalid-date',
        'invalid-category',
        'invalid-amount',
        'invalid-expense',
        'currency-mismatch',
        'too-many-categories',
        'transaction-id-conflict',
        'transaction-in-other-month',
      ],
      responses: { 201: transactionOut },
    },
    {
      method: 'post',
      path: '/api/transactions/bulk',
      summary: 'Record up to 500 expenses, all-or-nothing per month (422 when every month is rejected)',
      scope: 'write:transactions',
      headers: idempotencyHeader,
      body: bulkBody,
      errors: ['bulk-rejected', 'invalid-date', 'invalid-money', 'invalid-category'],
      responses: {
        201: z.object({
          months: z.array(
            z.object({
              month: z.string(),
              status: z.enum(['recorded', 'rejected']),
              error: z.record(z.string(), z.unknown()).optional(),
              position: z.string().optional(),
              transactions: z.array(z.record(z.string(), z.unknown())),
            }),
          ),
          recorded: z.number().int(),
          rejected: z.number().int(),
          position: z.string().optional(),
        }),
      },
    },
    {
      method: 'post',
      path: '/api/transactions/import',
      summary:
        'Import a CSV (multipart `file` + `mapping` JSON, or text/csv with ?mapping=): ≤ 200 rows at once (200), more as a task (202, Location /api/tasks/{id})',
      scope: 'write:transactions',
      query: z.object({
        mapping: z.string().max(16384).optional().openapi({
          description: 'With a text/csv body: the column mapping as JSON (as the multipart field `mapping`)',
        }),
      }),
      rawBody: {
        'multipart/form-data': {
          type: 'object',
          required: ['file', 'mapping'],
          properties: {
            file: { type: 'string', contentMediaType: 'text/csv', description: 'The CSV file (≤ 5 MB)' },
            mapping: {
              type: 'string',
              contentMediaType: 'application/json',
              description:
                'Column mapping as JSON: {"date": column, "amount": column, "merchant"?, "description"?, "category"?, "defaultCategory"?, "dateFormat"?, "decimalSeparator"?, "negativeIsExpense"?, "delimiter"?}',
            },
          },
        },
        'text/csv': { type: 'string', description: 'The CSV file; the mapping goes in ?mapping=' },
      },
      errors: [
        'unsupported-media-type',
        'file-too-large',
        'payload-too-large',
        'invalid-upload',
        'bad-request',
        'invalid-csv',
        'invalid-mapping',
        'empty-file',
        'too-many-rows',
      ],
      responses: {
        200: z.object({
          status: z.literal('done'),
          progress: z.record(z.string(), z.number()),
          errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
          position: z.string().optional(),
        }),
        202: z.object({ taskId: z.string(), status: z.literal('queued'), rows: z.number().int() }),
      },
    },
    {
      method: 'put',
      path: '/api/transactions/:id',
      summary:
        'Amend an expense; a date in another month moves it (void there with its new fields, record here; finished by a job if the request dies, a retry answers as the first did)',
      scope: 'write:transactions',
      params: idParams,
      // It finds the expense in the transactions read model: after the caller's own writes.
      query: consistencyQuery,
      headers: consistencyHeaders.extend(ifMatchHeaders.shape),
      body: amendBody,
      errors: [
        'invalid-money',
        'invalid-date',
        'invalid-category',
        'invalid-amount',
        'invalid-expense',
        'too-many-categories',
        'transaction-not-found',
        'transaction-voided',
        'transaction-id-conflict',
        'precondition-failed',
      ],
      responses: {
        200: transactionOut.extend({
          changed: z.boolean(),
          moved: z.object({ from: z.string(), to: z.string() }).optional(),
        }),
      },
    },
    {
      method: 'delete',
      path: '/api/transactions/:id',
      summary:
        'Void an expense (204; the write position is in Daybook-Position); a shortfall it caused is given back',
      scope: 'write:transactions',
      params: idParams,
      errors: ['transaction-not-found', 'precondition-failed'],
      query: consistencyQuery,
      headers: consistencyHeaders.extend(ifMatchHeaders.shape),
      responses: { 204: undefined },
    },
  );
