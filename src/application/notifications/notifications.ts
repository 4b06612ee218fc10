import { receiptIdOf } from '../../domain/receipt/receipt-stream.js';
import { derivedUuid } from '../derived-id.js';
import { receiptCodec } from '../events/receipt.codec.js';
import type { Clock } from '../ports/clock.port.js';
import type { JsonObject, RecordedEvent, StoredMetadata } from '../ports/event-store.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { ErrorLogger } from '../ports/logger.port.js';
import {
  DEFAULT_NOTIFICATION_SETTINGS,
  type NotificationKind,
  type NotificationSettings,
  type NotificationStore,
} from '../ports/notification-store.port.js';
import type { Notifier, RealtimeMessage } from '../ports/notifier.port.js';
import type { PushSender } from '../ports/push-sender.port.js';
import { budgetEventsOf, messagesFor } from '../realtime/notifications.js';
import { receiptMessagesFor } from '../realtime/receipt-messages.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export interface NotificationPorts {
  readonly notificationStore: NotificationStore;
  /** Absent when no push provider is configured: records and WebSocket messages only. */
  readonly push?: PushSender;
  readonly notifier: Notifier;
  readonly users: UserHandler;
  readonly clock: Clock;
  readonly jobs: JobQueue;
  readonly logger: ErrorLogger;
  /** The user a receipt belongs to. */
  readonly receiptOwner: (receiptId: string) => Promise<string | undefined>;
}

const KIND_OF: Readonly<Record<string, NotificationKind>> = {
  OverspendDetected: 'overspend',
  BudgetRebalanced: 'rebalance',
  MonthOverdrawn: 'overdrawn',
  ReceiptRead: 'receipt',
  ReceiptReadFailed: 'receipt',
};

/** Facts older than this are recorded but not pushed: a log replayed from the start must not buzz phones. */
const PUSH_MAX_AGE_MS = 60 * 60_000;

function recordedFrom(payload: JsonObject): RecordedEvent {
  return {
    id: String(payload.id),
    type: String(payload.type),
    streamName: String(payload.streamName),
    revision: BigInt(String(payload.revision)),
    position: String(payload.position),
    data: payload.data as JsonObject,
    metadata: payload.metadata as unknown as StoredMetadata,
  };
}

/**
 * Notifications: a record for every overspend, rebalance, overdrawn month and finished receipt (the
 * `notify` job, from the log), the text being the `notifications` channel message of the same fact
 * (messagesFor, receiptMessagesFor); push to the user's devices when configured and wanted.
 */
export function createNotificationUseCases(ports: NotificationPorts) {
  const messagesOf = async (event: RecordedEvent): Promise<RealtimeMessage[]> => {
    const receiptId = receiptIdOf(event.streamName);
    if (receiptId !== undefined && receiptCodec.types.has(event.type)) {
      const userId = await ports.receiptOwner(receiptId);
      if (!userId) return [];
      const at = {
        userId,
        receiptId,
        position: event.position,
        eventId: event.id,
        occurredAt: event.metadata.occurredAt,
        event: receiptCodec.decode(event),
      };
      return receiptMessagesFor(at);
    }
    const { events, failures } = budgetEventsOf([event]);
    if (failures[0]) throw failures[0].error;
    const [at] = events;
    if (!at) return [];
    const { currency } = await requireUser(ports.users, at.userId);
    return messagesFor(at, currency);
  };

  const push = async (userId: string, kind: NotificationKind, message: RealtimeMessage, text: string) => {
    const settings = await ports.notificationStore.settings(userId);
    if (!ports.push || !settings.push || !settings.kinds[kind]) return;
    for (const device of await ports.notificationStore.devices(userId)) {
      const data = Object.fromEntries(
        Object.entries(message.data)
          .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
          .map(([k, v]) => [k, String(v)]),
      );
      try {
        const sent = await ports.push.send(device.token, {
          title: 'Daybook',
          body: text,
          data: { ...data, type: message.type },
        });
        if (sent === 'invalid-token') await ports.notificationStore.forgetToken(device.token);
      } catch (error) {
        // Best effort: the record is kept and shown in the app; a push is not worth a retry storm.
        ports.logger.error({ err: error, userId }, 'push notification not sent');
      }
    }
  };

  const notify = async (payload: JsonObject): Promise<void> => {
    const event = recordedFrom(payload);
    const kind = KIND_OF[event.type];
    if (!kind) return;
    const messages = (await messagesOf(event)).filter((m) => m.channel === 'notifications');
    for (const [index, message] of messages.entries()) {
      const text = String(message.data.text ?? message.type);
      const added = await ports.notificationStore.add({
        id: derivedUuid('notification', event.id, String(index)),
        userId: message.userId,
        kind,
        text,
        data: { ...message.data, type: message.type, eventId: event.id, position: event.position },
        createdAt: event.metadata.occurredAt,
      });
      if (!added) continue;
      // Budget facts reach the WebSocket through the projection relay; receipts have no read model there.
      if (kind === 'receipt') await ports.notifier.publish(message.userId, message).catch(() => undefined);
      const age = ports.clock.now().getTime() - Date.parse(event.metadata.occurredAt);
      if (age <= PUSH_MAX_AGE_MS) await push(message.userId, kind, message, text);
    }
  };

  return {
    registerDevice: (userId: string, device: { token: string; platform: string }) =>
      ports.notificationStore.addDevice(userId, { ...device, registeredAt: ports.clock.now().toISOString() }),
    removeDevice: (userId: string, token: string) => ports.notificationStore.removeDevice(userId, token),
    listNotifications: (userId: string, options: { limit: number; unreadOnly: boolean }) =>
      ports.notificationStore.list(userId, options),
    markNotificationRead: (userId: string, id: string) =>
      ports.notificationStore.markRead(userId, id, ports.clock.now().toISOString()),
    notificationSettings: (userId: string) => ports.notificationStore.settings(userId),
    updateNotificationSettings: async (
      userId: string,
      changes: { push?: boolean; kinds?: Partial<Record<NotificationKind, boolean>> },
    ): Promise<NotificationSettings> => {
      const current = await ports.notificationStore.settings(userId);
      const next = {
        push: changes.push ?? current.push,
        kinds: { ...DEFAULT_NOTIFICATION_SETTINGS.kinds, ...current.kinds, ...changes.kinds },
      };
      await ports.notificationStore.saveSettings(userId, next);
      return next;
    },
    /** The worker role's `notify` job. */
    startNotificationWorker: () => ports.jobs.work('notify', notify),
  };
}
