import express, { type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { CSV_DELIMITERS, DATE_FORMATS, type ImportMapping } from '../../../application/imports/csv-rows.js';
import { problem, validationProblem } from '../problem.js';
import { categoryString, text } from '../validate.js';

/** The column mapping of an import (multipart field `mapping`, or query `mapping` with a text/csv body). */
const mappingSchema = z.strictObject({
  date: text(100, 1),
  amount: text(100, 1),
  merchant: text(100, 1).optional(),
  description: text(100, 1).optional(),
  category: text(100, 1).optional(),
  defaultCategory: categoryString.optional(),
  dateFormat: z.enum(DATE_FORMATS as [string, ...string[]]).optional(),
  decimalSeparator: z.enum(['.', ',']).optional(),
  negativeIsExpense: z.boolean().optional(),
  delimiter: z.enum(CSV_DELIMITERS as [string, ...string[]]).optional(),
});

/** Largest CSV upload. */
const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 4, fieldSize: 16 * 1024, parts: 6 },
}).single('file');

const rawCsv = express.text({ type: ['text/csv', 'application/csv'], limit: MAX_IMPORT_BYTES });

/** multipart/form-data (field `file`, field `mapping`) through multer, or a raw text/csv body. */
export const receiveCsv: RequestHandler = (req, res, next) => {
  if (req.is('multipart/form-data')) {
    upload(req, res, (error: unknown) => {
      if (!error) return next();
      const code = (error as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') {
        return next(
          problem(413, 'file-too-large', 'Payload too large', {
            detail: `A CSV file is at most ${MAX_IMPORT_BYTES / (1024 * 1024)} MB`,
          }),
        );
      }
      next(
        problem(400, 'invalid-upload', 'Bad request', {
          detail: `The multipart upload could not be read${code ? ` (${code})` : ''}`,
        }),
      );
    });
    return;
  }
  if (req.is(['text/csv', 'application/csv'])) {
    rawCsv(req, res, next);
    return;
  }
  next(
    problem(415, 'unsupported-media-type', 'Unsupported media type', {
      detail: 'Send multipart/form-data with a `file` and a `mapping` field, or a text/csv body',
    }),
  );
};

function parseMapping(raw: unknown, where: 'body' | 'query'): ImportMapping {
  if (typeof raw !== 'string') {
    throw problem(400, 'validation-failed', 'The request is not valid', {
      detail: `Invalid ${where}`,
      errors: [{ field: `${where}.mapping`, message: 'is required: a JSON column mapping' }],
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw problem(400, 'validation-failed', 'The request is not valid', {
      detail: `Invalid ${where}`,
      errors: [{ field: `${where}.mapping`, message: 'is not JSON' }],
    });
  }
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success) {
    const invalid = validationProblem(parsed.error, where);
    throw problem(400, 'validation-failed', 'The request is not valid', {
      detail: `Invalid ${where}`,
      errors: (invalid.problem.errors ?? []).map((e) => ({
        ...e,
        field: e.field.replace(`${where}.`, `${where}.mapping.`),
      })),
    });
  }
  return parsed.data as ImportMapping;
}

export function importRequest(req: Request): { content: string; mapping: ImportMapping } {
  if (req.file) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    return { content: req.file.buffer.toString('utf8'), mapping: parseMapping(body.mapping, 'body') };
  }
  if (typeof req.body === 'string') {
    return { content: req.body, mapping: parseMapping(req.query.mapping, 'query') };
  }
  throw problem(400, 'validation-failed', 'The request is not valid', {
    detail: 'Invalid body',
    errors: [{ field: 'body.file', message: 'is required: the CSV file' }],
  });
}
