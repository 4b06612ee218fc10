import type { ReceiptSuggestion } from '../../domain/receipt/events.js';
import { parseReceipt, readingConfidence } from '../../domain/receipt/parse-receipt.js';
import { receiptStream } from '../../domain/receipt/receipt-stream.js';
import { parseCategory } from '../../domain/shared/category.js';
import { localDateAt } from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import type { RegisteredUser } from '../../domain/user/user.js';
import type { CommandContext } from '../command-handler.js';
import type { Categorizer } from '../ports/categorizer.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { ReceiptImages } from '../ports/receipt-images.port.js';
import type { OcrResult, ReceiptOcr } from '../ports/receipt-ocr.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';
import type { ReceiptHandler } from './receipt-handler.js';

export interface ReceiptSettings {
  /** Attempts at reading one run before the receipt is marked failed. */
  readonly maxAttempts: number;
  /** Wait before the second attempt; doubled for each further one. */
  readonly retryDelayMs: number;
  /** A reading at least this confident is confirmed as an expense without the user; absent: never. */
  readonly autoConfirmAbove?: number;
}

export interface ProcessReceiptDeps {
  readonly receipts: ReceiptHandler;
  readonly users: UserHandler;
  readonly receiptImages: ReceiptImages;
  readonly receiptOcr: ReceiptOcr;
  readonly categorizer: Categorizer;
  readonly clock: Clock;
  readonly receiptSettings: ReceiptSettings;
}

/** Countries that write 03/04/2026 month first. */
const MONTH_FIRST_COUNTRIES = new Set(['US', 'PH', 'FM', 'MH', 'PW', 'CA', 'BZ']);

export interface ReceiptJob {
  readonly receiptId: string;
  readonly run: number;
  readonly correlationId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** OCR text → parsed reading → suggested expense (category from the Categorizer port). */
export async function suggestionFor(
  deps: Pick<ProcessReceiptDeps, 'categorizer' | 'clock'>,
  user: RegisteredUser,
  ocr: OcrResult,
) {
  const reading = parseReceipt(ocr.text, {
    currency: user.currency,
    monthFirst: MONTH_FIRST_COUNTRIES.has(user.profile.country),
  });
  if (reading.total === undefined) return { reading, suggestion: undefined };
  const currency = (reading.currency ?? user.currency) as Currency;
  const categorized = await deps.categorizer.categorize({
    userId: user.userId,
    ...(reading.merchant ? { merchant: reading.merchant } : {}),
    description: reading.items
      .map((i) => i.description)
      .join(', ')
      .slice(0, 500),
    amount: reading.total,
    currency,
  });
  const suggestion: ReceiptSuggestion = {
    amount: reading.total,
    currency,
    date: reading.date ?? localDateAt(deps.clock.now(), user.profile.timezone),
    category: parseCategory(categorized.category),
    categorizedBy: categorized.categorizedBy,
    ...(reading.merchant ? { merchant: reading.merchant } : {}),
    confidence: readingConfidence(ocr.confidence, reading),
  };
  return { reading, suggestion };
}

/**
 * The `receipt-ocr` job: reads the image, retrying a failing engine with back-off; each failure is
 * recorded on the receipt, the last one marks it failed (visible, reprocessable). A run already
 * finished is left alone, so a job delivered twice does nothing the second time.
 */
export const processReceipt =
  (
    deps: ProcessReceiptDeps,
    confirm: (receiptId: string, userId: string, context: CommandContext) => Promise<unknown>,
  ) =>
  async (job: ReceiptJob): Promise<void> => {
    const stream = receiptStream(job.receiptId);
    const { state } = await deps.receipts.load(stream);
    if (state.status !== 'queued' || state.run !== job.run) return;
    const context: CommandContext = { correlationId: job.correlationId, actor: 'system:receipts' };
    const image = await deps.receiptImages.load(job.receiptId);
    const user = await requireUser(deps.users, state.userId);
    const { maxAttempts, retryDelayMs } = deps.receiptSettings;
    for (let attempt = state.failures + 1; attempt <= maxAttempts; attempt++) {
      const now = () => deps.clock.now().toISOString();
      let ocr: OcrResult;
      try {
        if (!image) throw new Error('the receipt image is missing');
        ocr = await deps.receiptOcr.read(image.content);
      } catch (error) {
        const final = attempt >= maxAttempts || !image;
        const message = String((error as Error)?.message ?? error).slice(0, 500);
        await deps.receipts.handle(
          stream,
          {
            type: 'RecordReadFailure',
            data: {
              run: job.run,
              attempt,
              engine: deps.receiptOcr.engine,
              error: message,
              final,
              now: now(),
            },
          },
          context,
        );
        if (final) return;
        await sleep(retryDelayMs * 2 ** (attempt - 1));
        continue;
      }
      const { reading, suggestion } = await suggestionFor(deps, user, ocr);
      await deps.receipts.handle(
        stream,
        {
          type: 'RecordReading',
          data: {
            run: job.run,
            attempt,
            engine: deps.receiptOcr.engine,
            text: ocr.text.slice(0, 10_000),
            reading,
            ...(suggestion ? { suggestion } : {}),
            now: now(),
          },
        },
        context,
      );
      const threshold = deps.receiptSettings.autoConfirmAbove;
      if (
        suggestion &&
        threshold !== undefined &&
        suggestion.confidence >= threshold &&
        suggestion.currency === user.currency
      )
        await confirm(job.receiptId, user.userId, context);
      return;
    }
  };
