import path from 'node:path';
import type { Pool } from 'pg';
import { keywordCategorizer } from '../../application/categorization/keyword-categorizer.js';
import { Integrations } from '../../application/integrations/integrations.js';
import type { Clock } from '../../application/ports/clock.port.js';
import type { PushSender } from '../../application/ports/push-sender.port.js';
import type { ReceiptOcr } from '../../application/ports/receipt-ocr.port.js';
import type { ReceiptNotificationPorts } from '../../application/receipts/receipts-and-notifications.js';
import type { Config } from '../config/config.js';
import { FirebasePush } from '../notifications/firebase-push.js';
import { PostgresNotificationStore } from '../notifications/postgres-notification-store.js';
import { TesseractOcr } from '../ocr/tesseract-ocr.js';
import { VisionOcr } from '../ocr/vision-ocr.js';
import { dependencyErrors } from '../system/operational-metrics.js';
import { PostgresReceiptImages } from './postgres-receipt-images.js';

type Settings = Pick<
  Config,
  | 'DAYBOOK_DATA_DIR'
  | 'GOOGLE_VISION_API_KEY'
  | 'GOOGLE_VISION_ENDPOINT'
  | 'OCR_TIMEOUT_MS'
  | 'OCR_MAX_ATTEMPTS'
  | 'OCR_RETRY_DELAY_MS'
  | 'OCR_AUTO_CONFIRM_CONFIDENCE'
  | 'FIREBASE_PROJECT_ID'
  | 'FIREBASE_SERVICE_ACCOUNT'
  | 'FIREBASE_ENDPOINT'
>;

/**
 * The adapters of receipts and notifications, chosen from configuration: Google Vision with an API
 * key, tesseract.js otherwise; Firebase push with a project and credentials (or a stand-in endpoint),
 * none otherwise. Every outside call is tracked for /api/health/external. `close` ends the OCR worker
 * and the Firebase app.
 */
export function receiptNotificationAdapters(
  config: Settings,
  pool: Pool,
  clock: Clock,
): { ports: ReceiptNotificationPorts; close: () => Promise<void> } {
  const vision = config.GOOGLE_VISION_API_KEY !== undefined;
  const firebase =
    config.FIREBASE_PROJECT_ID !== undefined &&
    (config.FIREBASE_SERVICE_ACCOUNT !== undefined || config.FIREBASE_ENDPOINT !== undefined);
  const integrations = new Integrations(clock)
    .register('ocr', { configured: true, detail: vision ? 'google-vision' : 'tesseract (local)' })
    .register('vision', {
      configured: vision,
      detail: vision
        ? 'reads receipts'
        : 'GOOGLE_VISION_API_KEY not set: receipts are read by local tesseract',
    })
    .register('firebase', {
      configured: firebase,
      detail: firebase ? 'push notifications' : 'FIREBASE_PROJECT_ID and credentials not set: push is off',
    });
  // Each outside call: its outcome for /api/health/external, a failure also counted for /metrics.
  const track = <T>(name: string, call: () => Promise<T>): Promise<T> =>
    integrations.track(name, call).catch((error: unknown) => {
      dependencyErrors.inc({ dependency: name });
      throw error;
    });
  const engine = vision
    ? new VisionOcr({
        apiKey: config.GOOGLE_VISION_API_KEY as string,
        ...(config.GOOGLE_VISION_ENDPOINT ? { endpoint: new URL(config.GOOGLE_VISION_ENDPOINT) } : {}),
        timeoutMs: config.OCR_TIMEOUT_MS,
      })
    : new TesseractOcr({
        cachePath: path.resolve(config.DAYBOOK_DATA_DIR, 'tesseract'),
        timeoutMs: config.OCR_TIMEOUT_MS,
      });
  const receiptOcr: ReceiptOcr = {
    engine: engine.engine,
    read: (image) =>
      track('ocr', () => (vision ? track('vision', () => engine.read(image)) : engine.read(image))),
  };
  const pushAdapter = firebase
    ? new FirebasePush({
        projectId: config.FIREBASE_PROJECT_ID as string,
        ...(config.FIREBASE_SERVICE_ACCOUNT ? { serviceAccountFile: config.FIREBASE_SERVICE_ACCOUNT } : {}),
        ...(config.FIREBASE_ENDPOINT ? { endpoint: new URL(config.FIREBASE_ENDPOINT) } : {}),
      })
    : undefined;
  const push: PushSender | undefined = pushAdapter && {
    send: (token, message) => track('firebase', () => pushAdapter.send(token, message)),
  };
  return {
    ports: {
      receiptOcr,
      receiptImages: new PostgresReceiptImages(pool),
      categorizer: keywordCategorizer(),
      receiptSettings: {
        maxAttempts: config.OCR_MAX_ATTEMPTS,
        retryDelayMs: config.OCR_RETRY_DELAY_MS,
        ...(config.OCR_AUTO_CONFIRM_CONFIDENCE === undefined
          ? {}
          : { autoConfirmAbove: config.OCR_AUTO_CONFIRM_CONFIDENCE }),
      },
      notificationStore: new PostgresNotificationStore(pool),
      ...(push ? { push } : {}),
      integrations,
    },
    close: async () => {
      await engine.close();
      await pushAdapter?.close();
    },
  };
}
