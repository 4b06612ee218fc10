import type { JsonObject } from './event-store.port.js';

export const NOTIFICATION_KINDS = ['overspend', 'rebalance', 'overdrawn', 'receipt'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationRecord {
  /** Derived from the event that caused it: recording it again changes nothing. */
  readonly id: string;
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly text: string;
  readonly data: JsonObject;
  readonly createdAt: string;
  readonly readAt?: string;
}

/** Which kinds a user wants pushed to their devices (records are kept for every kind). */
export interface NotificationSettings {
  readonly push: boolean;
  readonly kinds: Readonly<Record<NotificationKind, boolean>>;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  push: true,
  kinds: { overspend: true, rebalance: true, overdrawn: true, receipt: true },
};

export interface Device {
  readonly token: string;
  readonly platform: string;
  readonly registeredAt: string;
}

/** Notification records, settings and device tokens of each user. */
export interface NotificationStore {
  /** False when a record with that id exists already. */
  add(record: NotificationRecord): Promise<boolean>;
  list(userId: string, options: { limit: number; unreadOnly: boolean }): Promise<NotificationRecord[]>;
  /** False when the user has no such notification. */
  markRead(userId: string, id: string, at: string): Promise<boolean>;
  settings(userId: string): Promise<NotificationSettings>;
  saveSettings(userId: string, settings: NotificationSettings): Promise<void>;
  addDevice(userId: string, device: Device): Promise<void>;
  /** False when the user had no such device. */
  removeDevice(userId: string, token: string): Promise<boolean>;
  devices(userId: string): Promise<Device[]>;
  /** A token the push provider no longer knows: gone for whoever registered it. */
  forgetToken(token: string): Promise<void>;
}
