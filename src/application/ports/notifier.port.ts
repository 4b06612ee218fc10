import type { JsonObject } from './event-store.port.js';

/** What a connected client can subscribe to. */
export const REALTIME_CHANNELS = ['budget-updates', 'transaction-alerts', 'notifications'] as const;
export type RealtimeChannel = (typeof REALTIME_CHANNELS)[number];

export const isRealtimeChannel = (value: unknown): value is RealtimeChannel =>
  typeof value === 'string' && (REALTIME_CHANNELS as readonly string[]).includes(value);

/**
 * One push to one user: what happened (`type`, usually the event type), in which month, at which
 * position of the log (a client can pass it as `?after=` to read a read model that reflects it), and
 * the details with amounts as decimal strings in the month's currency.
 */
export interface RealtimeMessage {
  readonly channel: RealtimeChannel;
  readonly type: string;
  readonly userId: string;
  readonly month: string;
  readonly position: string;
  /** The event this message comes from: a client that reconnects can drop what it has already seen. */
  readonly eventId: string;
  readonly data: JsonObject;
}

export type NotificationListener = (userId: string, message: RealtimeMessage) => void;

/**
 * Fan-out of real-time messages to every process that serves WebSocket clients. In process without
 * Redis (one instance), over Redis pub/sub otherwise. Delivery is at most once and, for one user, in the
 * order `publish` was called in (one process, the worker, publishes them in log order).
 */
export interface Notifier {
  /** Resolves once the message is handed to the transport (not when a client has it). */
  publish(userId: string, message: RealtimeMessage): Promise<void>;
  /** Every message for every user, in publish order; returns the unsubscribe function. */
  subscribe(listener: NotificationListener): () => void;
  close(): Promise<void>;
}
