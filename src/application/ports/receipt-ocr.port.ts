/** What an OCR engine read from an image: its text and how sure it is (0..1). */
export interface OcrResult {
  readonly text: string;
  readonly confidence: number;
}

/**
 * Reads the text of a receipt photo (local tesseract.js, or Google Cloud Vision when configured).
 * Throws when the engine fails or times out; the caller retries and records the failure.
 */
export interface ReceiptOcr {
  readonly engine: string;
  read(image: Uint8Array): Promise<OcrResult>;
}
