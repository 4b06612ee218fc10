/** An uploaded receipt image, kept until the receipt is read (and for reprocessing). */
export interface ReceiptImage {
  readonly receiptId: string;
  readonly userId: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

/**
 * Receipt uploads: the image bytes (the event holds only their size and hash) and the user's list of
 * receipts, newest first.
 */
export interface ReceiptImages {
  /** Saving the same receipt id again changes nothing. */
  save(image: ReceiptImage): Promise<void>;
  load(receiptId: string): Promise<ReceiptImage | undefined>;
  /** The user's receipt ids, newest first; `before` is a receipt id of the previous page. */
  list(userId: string, options: { limit: number; before?: string }): Promise<string[]>;
}
