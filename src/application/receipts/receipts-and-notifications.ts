import type { recordExpense } from '../budget/record-expense.js';
import type { CommandHandlerDeps } from '../command-handler.js';
import type { IntegrationReport, Integrations } from '../integrations/integrations.js';
import { createNotificationUseCases } from '../notifications/notifications.js';
import type { Categorizer } from '../ports/categorizer.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { ErrorLogger } from '../ports/logger.port.js';
import type { NotificationStore } from '../ports/notification-store.port.js';
import type { Notifier } from '../ports/notifier.port.js';
import type { PushSender } from '../ports/push-sender.port.js';
import type { ReceiptImages } from '../ports/receipt-images.port.js';
import type { ReceiptOcr } from '../ports/receipt-ocr.port.js';
import type { WritePositions } from '../ports/write-positions.port.js';
import type { UserHandler } from '../users/require-user.js';
import type { ReceiptSettings } from './process-receipt.js';
import { createReceiptUseCases } from './receipts.js';

/** The adapters receipts, notifications and /api/health/external need (one field of DaybookPorts). */
export interface ReceiptNotificationPorts {
  readonly receiptOcr: ReceiptOcr;
  readonly receiptImages: ReceiptImages;
  /** Replaced by the categorization tiers in createDaybook; the adapters give the keyword tier. */
  readonly categorizer: Categorizer;
  readonly receiptSettings: ReceiptSettings;
  readonly notificationStore: NotificationStore;
  readonly push?: PushSender;
  readonly integrations: Integrations;
}

export interface ReceiptNotificationDeps extends CommandHandlerDeps {
  readonly receiptsAndNotifications: ReceiptNotificationPorts;
  readonly users: UserHandler;
  readonly recordExpense: ReturnType<typeof recordExpense>;
  readonly writes: WritePositions;
  readonly jobs: JobQueue;
  readonly notifier: Notifier;
  readonly logger: ErrorLogger;
}

/** Receipts, notifications and the integrations report, spread into createDaybook. */
export function createReceiptAndNotificationUseCases(deps: ReceiptNotificationDeps) {
  const ports = deps.receiptsAndNotifications;
  const receipts = createReceiptUseCases({ ...deps, ...ports });
  const notifications = createNotificationUseCases({
    ...deps,
    ...ports,
    receiptOwner: receipts.receiptOwner,
  });
  const { startReceiptWorker, ...receiptUseCases } = receipts;
  const { startNotificationWorker, ...notificationUseCases } = notifications;
  return {
    ...receiptUseCases,
    ...notificationUseCases,
    externalHealth: (): IntegrationReport[] => ports.integrations.report(),
    startReceiptAndNotificationWorkers: async () => {
      await startReceiptWorker();
      await startNotificationWorker();
    },
  };
}
