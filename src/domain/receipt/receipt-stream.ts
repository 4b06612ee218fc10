/** Stream names are a contract shared by every event store: one stream per uploaded receipt. */
export const receiptStream = (receiptId: string): string => `receipt-${receiptId}`;

const RECEIPT_STREAM = /^receipt-(.+)$/;

/** The receipt id of a `receipt-<id>` stream. */
export function receiptIdOf(stream: string): string | undefined {
  return RECEIPT_STREAM.exec(stream)?.[1];
}
