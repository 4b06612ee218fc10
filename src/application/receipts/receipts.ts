import { createHash } from 'node:crypto';
import { checkConfirmable, receiptDecider } from '../../domain/receipt/receipt.js';
import { receiptStream } from '../../domain/receipt/receipt-stream.js';
import { parseCategory } from '../../domain/shared/category.js';
import { fail } from '../../domain/shared/domain-error.js';
import { parseLocalDate } from '../../domain/shared/local-date.js';
import { formatMoney } from '../../domain/shared/money.js';
import type { recordExpense } from '../budget/record-expense.js';
import { type CommandContext, type CommandHandlerDeps, commandHandler } from '../command-handler.js';
import { trackWrites } from '../consistency/track-writes.js';
import { derivedUuid } from '../derived-id.js';
import { receiptCodec } from '../events/receipt.codec.js';
import type { JsonObject } from '../ports/event-store.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { WritePositions } from '../ports/write-positions.port.js';
import { requireUser } from '../users/require-user.js';
import { type ProcessReceiptDeps, processReceipt, type ReceiptJob } from './process-receipt.js';
import { requireReceipt } from './receipt-handler.js';

export interface ReceiptPorts extends CommandHandlerDeps, Omit<ProcessReceiptDeps, 'receipts'> {
  readonly writes: WritePositions;
  readonly jobs: JobQueue;
  readonly recordExpense: ReturnType<typeof recordExpense>;
}

/** What the user may change when confirming; absent fields come from the suggestion. */
export interface ConfirmOverrides {
  readonly amount?: string;
  readonly date?: string;
  readonly category?: string;
  readonly merchant?: string;
  readonly description?: string;
}

export const MAX_HISTORY_PAGE = 100;

export function parseReceiptJob(payload: JsonObject): ReceiptJob {
  const { receiptId, run, correlationId } = payload;
  if (typeof receiptId !== 'string' || typeof run !== 'number' || typeof correlationId !== 'string')
    throw new Error(`Malformed receipt-ocr job: ${JSON.stringify(payload).slice(0, 200)}`);
  return { receiptId, run, correlationId };
}

/** Receipts: upload, the OCR job, status and history, reprocessing and confirmation as an expense. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a factory of the receipt use cases, one closure each over the same handlers
export function createReceiptUseCases(ports: ReceiptPorts) {
  const receipts = trackWrites(commandHandler(ports, receiptDecider, receiptCodec), ports.writes);
  const deps = { ...ports, receipts };

  const submitReceipt = async (
    input: { userId: string; content: Uint8Array; contentType: string },
    context: CommandContext,
  ) => {
    const user = await requireUser(ports.users, input.userId);
    const receiptId = ports.ids.uuid();
    // The image is kept before the fact that announces it: the job never finds a receipt without one.
    await ports.receiptImages.save({
      receiptId,
      userId: user.userId,
      contentType: input.contentType,
      content: input.content,
    });
    const handled = await receipts.handle(
      receiptStream(receiptId),
      {
        type: 'SubmitReceipt',
        data: {
          receiptId,
          userId: user.userId,
          contentType: input.contentType,
          bytes: input.content.byteLength,
          sha256: createHash('sha256').update(input.content).digest('hex'),
          now: ports.clock.now().toISOString(),
        },
      },
      { ...context, actor: user.userId },
    );
    return { state: handled.state, position: handled.position };
  };

  const confirmReceipt = async (
    input: { userId: string; receiptId: string; overrides?: ConfirmOverrides; automatic?: boolean },
    context: CommandContext,
  ) => {
    const { state } = await requireReceipt(receipts, input.userId, input.receiptId);
    if (state.status === 'confirmed') return { state, created: false, position: undefined };
    // Checked before the expense is recorded; the decider checks it again when the receipt is confirmed.
    checkConfirmable(state.status);
    const user = await requireUser(ports.users, input.userId);
    const o = input.overrides ?? {};
    const s = state.suggestion;
    if (o.amount === undefined && !s)
      return fail('invalid-receipt', 'No total was read from this receipt: give the amount');
    if (o.amount === undefined && s && s.currency !== user.currency)
      return fail(
        'currency-mismatch',
        `The receipt is in ${s.currency}; give the amount in ${user.currency}`,
        {
          expected: user.currency,
          actual: s.currency,
        },
      );
    const date = parseLocalDate(
      o.date ?? s?.date ?? fail('invalid-receipt', 'No date was read: give the date'),
    );
    const category = parseCategory(o.category ?? s?.category ?? 'other');
    const merchant = o.merchant ?? s?.merchant;
    const transactionId = derivedUuid('receipt', user.userId, input.receiptId);
    const recorded = await ports.recordExpense(
      {
        userId: user.userId,
        transactionId,
        amount: o.amount ?? formatMoney({ amount: s?.amount ?? 0n, currency: user.currency }),
        category,
        date,
        ...(merchant ? { merchant } : {}),
        ...(o.description ? { note: o.description } : {}),
        source: 'receipt',
      },
      context,
    );
    const handled = await receipts.handle(
      receiptStream(input.receiptId),
      {
        type: 'ConfirmReceipt',
        data: {
          transactionId,
          amount: recorded.amount.amount,
          currency: recorded.amount.currency,
          date,
          category,
          ...(merchant ? { merchant } : {}),
          automatic: input.automatic ?? false,
          now: ports.clock.now().toISOString(),
        },
      },
      { ...context, actor: context.actor ?? user.userId },
    );
    return {
      state: handled.state,
      created: recorded.created,
      position: handled.position ?? recorded.position,
    };
  };

  const process = processReceipt(deps, (receiptId, userId, context) =>
    confirmReceipt({ userId, receiptId, automatic: true }, context),
  );

  return {
    submitReceipt,
    confirmReceipt,
    receiptOwner: async (receiptId: string): Promise<string | undefined> => {
      const { state } = await receipts.load(receiptStream(receiptId));
      return state.status === 'none' ? undefined : state.userId;
    },
    getReceipt: async (userId: string, receiptId: string) =>
      (await requireReceipt(receipts, userId, receiptId)).state,
    receiptHistory: async (userId: string, options: { limit: number; before?: string }) => {
      const ids = await ports.receiptImages.list(userId, options);
      const states = await Promise.all(ids.map((id) => receipts.load(receiptStream(id))));
      return states.map((s) => s.state).filter((s) => s.status !== 'none');
    },
    reprocessReceipt: async (userId: string, receiptId: string, context: CommandContext) => {
      await requireReceipt(receipts, userId, receiptId);
      const handled = await receipts.handle(
        receiptStream(receiptId),
        { type: 'RequestReprocess', data: { now: ports.clock.now().toISOString() } },
        { ...context, actor: userId },
      );
      return { state: handled.state, position: handled.position };
    },
    /** The worker role's receipt job. */
    startReceiptWorker: () => ports.jobs.work('receipt-ocr', (payload) => process(parseReceiptJob(payload))),
  };
}

export type ReceiptUseCases = ReturnType<typeof createReceiptUseCases>;
