import { ImageAnnotatorClient } from '@google-cloud/vision';
import type { OcrResult, ReceiptOcr } from '../../application/ports/receipt-ocr.port.js';
import { prepareImage, withTimeout } from './prepare-image.js';

export interface VisionOptions {
  readonly apiKey: string;
  /** Another server speaking the Vision REST API (a local stand-in); default Google's. */
  readonly endpoint?: URL;
  readonly timeoutMs: number;
}

/**
 * Google Cloud Vision DOCUMENT_TEXT_DETECTION over REST (`images:annotate`) with an API key. One call
 * per read, no retries of its own: the receipt job retries and records each failure.
 */
export class VisionOcr implements ReceiptOcr {
  readonly engine = 'google-vision';
  private readonly client: ImageAnnotatorClient;
  private ready: Promise<unknown> | undefined;

  constructor(private readonly options: VisionOptions) {
    const endpoint = options.endpoint;
    this.client = new ImageAnnotatorClient({
      fallback: true,
      apiKey: options.apiKey,
      ...(endpoint
        ? {
            apiEndpoint: endpoint.hostname,
            port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
            protocol: endpoint.protocol.replace(':', ''),
          }
        : {}),
    });
  }

  async read(image: Uint8Array): Promise<OcrResult> {
    const content = await prepareImage(image);
    // Loading the API description takes seconds once (in fallback mode): not part of a call's time.
    this.ready ??= this.client.initialize().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const [batch] = await withTimeout(
      this.client.batchAnnotateImages(
        { requests: [{ image: { content }, features: [{ type: 'DOCUMENT_TEXT_DETECTION' }] }] },
        { timeout: this.options.timeoutMs, maxRetries: 0 },
      ),
      this.options.timeoutMs,
      'Google Vision',
    );
    const response = batch.responses?.[0] ?? {};
    if (response.error?.message) throw new Error(`Google Vision: ${response.error.message}`);
    const annotation = response.fullTextAnnotation;
    const pages = annotation?.pages ?? [];
    const confidences = pages.map((p) => p.confidence ?? 0).filter((c) => c > 0);
    return {
      text: annotation?.text ?? '',
      confidence: confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : 0.9,
    };
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}
