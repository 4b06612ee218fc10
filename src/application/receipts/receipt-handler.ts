import type { ReceiptEvent } from '../../domain/receipt/events.js';
import type { ExistingReceipt, ReceiptCommand, ReceiptState } from '../../domain/receipt/receipt.js';
import { receiptStream } from '../../domain/receipt/receipt-stream.js';
import { fail } from '../../domain/shared/domain-error.js';
import type { CommandHandler } from '../command-handler.js';

export type ReceiptHandler = CommandHandler<ReceiptCommand, ReceiptEvent, ReceiptState>;

/** The user's receipt; another user's (or no) receipt is not found. */
export async function requireReceipt(
  receipts: ReceiptHandler,
  userId: string,
  receiptId: string,
): Promise<{ state: ExistingReceipt; version: bigint }> {
  const { state, version } = await receipts.load(receiptStream(receiptId));
  if (state.status === 'none' || state.userId !== userId) return fail('receipt-not-found', 'No such receipt');
  return { state, version };
}
