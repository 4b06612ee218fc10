import { type RequestHandler, Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import type { ExistingReceipt } from '../../../domain/receipt/receipt.js';
import type { Currency } from '../../../domain/shared/money.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { problem } from '../problem.js';
import {
  categoryString,
  dateString,
  moneyString,
  parseBody,
  parseParams,
  parseQuery,
  text,
} from '../validate.js';
import { amount } from '../views.js';

export type OcrUseCases = Pick<
  Daybook,
  | 'verifyAccessToken'
  | 'submitReceipt'
  | 'getReceipt'
  | 'receiptHistory'
  | 'reprocessReceipt'
  | 'confirmReceipt'
>;

/** Largest receipt photo accepted. */
export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;

export const receiptParams = z.object({ id: text(200, 1) });
export const confirmBody = z.strictObject({
  amount: moneyString.optional(),
  date: dateString.optional(),
  category: categoryString.optional(),
  merchant: text(200).optional(),
  description: text(200).optional(),
});
export const historyQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional(),
  before: z.uuid().optional().openapi({ description: 'The last receipt id of the previous page' }),
});

/** The image types receipts are read from, by their first bytes (the declared type is not trusted). */
export function imageTypeOf(bytes: Uint8Array): string | undefined {
  const starts = (...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff';
  return undefined;
}

const money = (minor: bigint | undefined, currency: string | undefined) =>
  minor === undefined || currency === undefined ? undefined : amount(minor, currency as Currency);

export const receiptView = (r: ExistingReceipt) => {
  const currency = r.reading?.currency;
  return {
    id: r.receiptId,
    status: r.status,
    submittedAt: r.submittedAt,
    updatedAt: r.updatedAt,
    run: r.run,
    failedAttempts: r.failures,
    ...(r.lastError ? { lastError: r.lastError } : {}),
    ...(r.engine ? { engine: r.engine } : {}),
    ...(r.reading
      ? {
          reading: {
            ...(r.reading.merchant ? { merchant: r.reading.merchant } : {}),
            ...(r.reading.date ? { date: r.reading.date, dateOrder: r.reading.dateOrder } : {}),
            ...(r.reading.total === undefined ? {} : { total: money(r.reading.total, currency) }),
            ...(currency ? { currency } : {}),
            items: r.reading.items.map((i) => ({
              description: i.description,
              amount: money(i.amount, currency),
            })),
          },
        }
      : {}),
    ...(r.suggestion
      ? {
          suggestion: {
            amount: amount(r.suggestion.amount, r.suggestion.currency),
            currency: r.suggestion.currency,
            date: r.suggestion.date,
            category: r.suggestion.category,
            categorizedBy: r.suggestion.categorizedBy,
            ...(r.suggestion.merchant ? { merchant: r.suggestion.merchant } : {}),
            confidence: r.suggestion.confidence,
          },
        }
      : {}),
    ...(r.confirmation
      ? {
          transaction: {
            id: r.confirmation.transactionId,
            amount: amount(r.confirmation.amount, r.confirmation.currency),
            currency: r.confirmation.currency,
            date: r.confirmation.date,
            category: r.confirmation.category,
            ...(r.confirmation.merchant ? { merchant: r.confirmation.merchant } : {}),
            automatic: r.confirmation.automatic,
          },
        }
      : {}),
  };
};

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_RECEIPT_BYTES, files: 1, fields: 2, parts: 3 },
}).single('image');

/** A multipart `image` whose bytes are a JPEG, PNG, WebP or TIFF of at most MAX_RECEIPT_BYTES. */
const receiveImage: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) {
    next(
      problem(415, 'unsupported-media-type', 'Unsupported media type', {
        detail: 'Send multipart/form-data with the photo in an `image` field',
      }),
    );
    return;
  }
  upload(req, res, (error: unknown) => {
    if (!error) return next();
    const code = (error as { code?: string }).code;
    if (code === 'LIMIT_FILE_SIZE')
      return next(
        problem(413, 'file-too-large', 'Payload too large', {
          detail: `A receipt image is at most ${MAX_RECEIPT_BYTES / (1024 * 1024)} MB`,
        }),
      );
    next(
      problem(400, 'invalid-upload', 'Bad request', {
        detail: `The multipart upload could not be read${code ? ` (${code})` : ''}`,
      }),
    );
  });
};

/** /api/ocr: receipts read by OCR into suggested expenses, confirmed by the user. */
export function ocrRoutes(daybook: OcrUseCases): Router {
  const router = Router();
  const scoped = requireScope(daybook.verifyAccessToken, 'process:receipts');

  router.post('/process', scoped, receiveImage, async (req, res) => {
    const file = req.file;
    if (!file || file.size === 0)
      throw problem(400, 'invalid-upload', 'Bad request', {
        detail: 'The photo goes in a non-empty `image` field',
      });
    const contentType = imageTypeOf(file.buffer);
    if (!contentType)
      throw problem(415, 'unsupported-media-type', 'Unsupported media type', {
        detail: 'A receipt is a JPEG, PNG, WebP or TIFF image',
      });
    const { state, position } = await daybook.submitReceipt(
      { userId: authOf(req).userId, content: file.buffer, contentType },
      commandContext(req),
    );
    if (state.status === 'none') throw new Error('a submitted receipt has a state');
    res
      .status(202)
      .location(`/api/ocr/jobs/${state.receiptId}`)
      .json({ ...receiptView(state), ...(position ? { position } : {}) });
  });

  router.get('/jobs/:id', scoped, async (req, res) => {
    const { id } = parseParams(receiptParams, req.params);
    res.setHeader('Cache-Control', 'no-store');
    res.json(receiptView(await daybook.getReceipt(authOf(req).userId, id)));
  });

  router.get('/history', scoped, async (req, res) => {
    const { limit = 20, before } = parseQuery(historyQuery, req.query);
    const items = await daybook.receiptHistory(authOf(req).userId, { limit, ...(before ? { before } : {}) });
    const views = items.map((r) => receiptView(r as ExistingReceipt));
    const last = views.at(-1);
    res.json({ items: views, ...(views.length === limit && last ? { nextBefore: last.id } : {}) });
  });

  router.post('/reprocess/:id', scoped, async (req, res) => {
    const { id } = parseParams(receiptParams, req.params);
    const { state, position } = await daybook.reprocessReceipt(authOf(req).userId, id, commandContext(req));
    if (state.status === 'none') throw new Error('a reprocessed receipt has a state');
    res
      .status(202)
      .location(`/api/ocr/jobs/${id}`)
      .json({ ...receiptView(state), ...(position ? { position } : {}) });
  });

  router.post('/:id/confirm', scoped, async (req, res) => {
    const { id } = parseParams(receiptParams, req.params);
    const overrides = parseBody(confirmBody, req.body);
    const result = await daybook.confirmReceipt(
      { userId: authOf(req).userId, receiptId: id, overrides },
      commandContext(req),
    );
    if (result.state.status === 'none') throw new Error('a confirmed receipt has a state');
    if (result.position) res.setHeader('Daybook-Position', result.position);
    res
      .status(result.created ? 201 : 200)
      .json({ ...receiptView(result.state), ...(result.position ? { position: result.position } : {}) });
  });
  return router;
}
