import { z } from 'zod';
import { type ApiDocs, moneyOut } from '../openapi.js';
import { confirmBody, historyQuery, MAX_RECEIPT_BYTES, receiptParams } from './ocr.routes.js';

const receiptOut = z.object({
  id: z.string(),
  status: z.enum(['queued', 'read', 'failed', 'confirmed']),
  submittedAt: z.string(),
  updatedAt: z.string(),
  run: z.number().int(),
  failedAttempts: z.number().int(),
  lastError: z.string().optional(),
  engine: z.string().optional(),
  reading: z
    .object({
      merchant: z.string().optional(),
      date: z.string().optional(),
      dateOrder: z.enum(['iso', 'day-first', 'month-first', 'named']).optional(),
      total: moneyOut.optional(),
      currency: z.string().optional(),
      items: z.array(z.object({ description: z.string(), amount: moneyOut.optional() })),
    })
    .optional(),
  suggestion: z
    .object({
      amount: moneyOut,
      currency: z.string(),
      date: z.string(),
      category: z.string(),
      categorizedBy: z.string(),
      merchant: z.string().optional(),
      confidence: z.number(),
    })
    .optional(),
  transaction: z
    .object({
      id: z.string(),
      amount: moneyOut,
      currency: z.string(),
      date: z.string(),
      category: z.string(),
      merchant: z.string().optional(),
      automatic: z.boolean(),
    })
    .optional(),
  position: z.string().optional(),
});

/** OpenAPI descriptions of /api/ocr. */
export const ocrDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'post',
      path: '/api/ocr/process',
      summary:
        'Upload a receipt photo (multipart `image`: JPEG, PNG, WebP or TIFF by its bytes, ≤ 10 MB); it is read in the background (202, Location /api/ocr/jobs/{id})',
      scope: 'process:receipts',
      rawBody: {
        'multipart/form-data': {
          type: 'object',
          required: ['image'],
          properties: {
            image: {
              type: 'string',
              contentMediaType: 'application/octet-stream',
              description: `The receipt photo (≤ ${MAX_RECEIPT_BYTES / (1024 * 1024)} MB)`,
            },
          },
        },
      },
      errors: ['unsupported-media-type', 'file-too-large', 'invalid-upload', 'invalid-receipt'],
      responses: { 202: receiptOut },
    },
    {
      method: 'get',
      path: '/api/ocr/jobs/:id',
      summary:
        "A receipt: queued, read (with the suggested expense), failed (after retries; reprocess it) or confirmed; another user's is a 404",
      scope: 'process:receipts',
      params: receiptParams,
      errors: ['receipt-not-found'],
      responses: { 200: receiptOut },
    },
    {
      method: 'get',
      path: '/api/ocr/history',
      summary: "The user's receipts, newest first (`nextBefore` pages on)",
      scope: 'process:receipts',
      query: historyQuery,
      responses: { 200: z.object({ items: z.array(receiptOut), nextBefore: z.string().optional() }) },
    },
    {
      method: 'post',
      path: '/api/ocr/reprocess/:id',
      summary: 'Read a receipt again (a failed one, or one read wrongly); a confirmed receipt cannot be',
      scope: 'process:receipts',
      params: receiptParams,
      errors: ['receipt-not-found', 'receipt-confirmed'],
      responses: { 202: receiptOut },
    },
    {
      method: 'post',
      path: '/api/ocr/:id/confirm',
      summary:
        'Record the suggested expense (source `receipt`), with optional overrides; a receipt that could not be read (`failed`) is confirmed with what the body gives (amount and date at least); one still being read answers 409; confirming again records nothing more (200)',
      scope: 'process:receipts',
      params: receiptParams,
      body: confirmBody,
      errors: [
        'receipt-not-found',
        'receipt-not-ready',
        'receipt-confirmed',
        'invalid-receipt',
        'invalid-money',
        'invalid-date',
        'invalid-category',
        'invalid-amount',
        'invalid-expense',
        'currency-mismatch',
        'too-many-categories',
        'transaction-id-conflict',
        'transaction-in-other-month',
        'month-full',
      ],
      responses: { 200: receiptOut, 201: receiptOut },
    },
  );
