import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import type { OcrResult, ReceiptOcr } from '../../application/ports/receipt-ocr.port.js';
import { prepareImage, withTimeout } from './prepare-image.js';

/** Below this confidence the image is tried turned a quarter each way (a photo taken sideways). */
const TRY_TURNED_BELOW = 0.5;

/** English LSTM data shipped by @tesseract.js-data/eng: no download at run time. */
const languageDir = () =>
  path.join(
    path.dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')),
    '4.0.0_best_int',
  );

/**
 * Local OCR with tesseract.js: one long-lived worker thread (started at the first receipt, never per
 * request), so recognition runs off the API's event loop. A read that outlasts `timeoutMs` ends the
 * worker; the next read starts a fresh one.
 */
export class TesseractOcr implements ReceiptOcr {
  readonly engine = 'tesseract';
  private worker: Promise<Worker> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: { cachePath: string; timeoutMs: number }) {}

  private start(): Promise<Worker> {
    this.worker ??= (async () => {
      await mkdir(this.options.cachePath, { recursive: true });
      return createWorker('eng', OEM.LSTM_ONLY, {
        langPath: languageDir(),
        gzip: true,
        cachePath: this.options.cachePath,
        errorHandler: () => undefined,
      });
    })().catch((error) => {
      this.worker = undefined;
      throw error;
    });
    return this.worker;
  }

  private async recognize(image: Buffer): Promise<OcrResult> {
    const worker = await this.start();
    const result = await withTimeout(
      worker.recognize(image, { rotateAuto: true }),
      this.options.timeoutMs,
      'tesseract',
      () => this.restart(),
    );
    return { text: result.data.text, confidence: result.data.confidence / 100 };
  }

  private restart(): void {
    const stale = this.worker;
    this.worker = undefined;
    void stale?.then((w) => w.terminate()).catch(() => undefined);
  }

  /** One image at a time: the worker is one thread, and a queue keeps timeouts honest. */
  read(image: Uint8Array): Promise<OcrResult> {
    const run = this.queue.then(async () => {
      const upright = await this.recognize(await prepareImage(image));
      if (upright.confidence >= TRY_TURNED_BELOW) return upright;
      let best = upright;
      for (const turn of [90, 270]) {
        const turned = await this.recognize(await prepareImage(image, turn));
        if (turned.confidence > best.confidence) best = turned;
      }
      return best;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.then((w) => w.terminate()).catch(() => undefined);
  }
}
