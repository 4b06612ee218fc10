import type { Redis, RedisOptions } from 'ioredis';
import {
  isRealtimeChannel,
  type NotificationListener,
  type Notifier,
  type RealtimeMessage,
} from '../../application/ports/notifier.port.js';
import type { Logger } from '../logging/logger.js';

export const DEFAULT_NOTIFICATION_CHANNEL = 'daybook:notifications';

export interface RedisNotifierOptions {
  /** One channel per deployment; every API process receives every message and keeps its users'. */
  readonly channel?: string;
}

/**
 * Fan-out over Redis pub/sub: one channel per deployment carrying `{userId, message}` JSON. Publishes go
 * over the process's shared Redis connection (the worker publishes); the first `subscribe` opens one
 * dedicated subscriber connection (API processes listen). ioredis reconnects both with back-off and
 * re-subscribes; what is published while a subscriber is away is lost (at most once: a client that
 * reconnects reads the current state over REST). One publisher connection into one channel keeps the
 * messages in publish order.
 */
export class RedisNotifier implements Notifier {
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> | undefined;
  private readonly listeners = new Set<NotificationListener>();
  private readonly channel: string;
  private closed = false;

  /** `redis` is shared and stays open on `close()`: its owner closes it. */
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    options: RedisNotifierOptions = {},
  ) {
    this.channel = options.channel ?? DEFAULT_NOTIFICATION_CHANNEL;
  }

  async publish(userId: string, message: RealtimeMessage): Promise<void> {
    if (this.closed) throw new Error('notifier is closed');
    await this.redis.publish(this.channel, JSON.stringify({ userId, message }));
  }

  subscribe(listener: NotificationListener): () => void {
    if (this.closed) throw new Error('notifier is closed');
    const own: NotificationListener = (userId, message) => listener(userId, message);
    this.listeners.add(own);
    this.ensureSubscribed().catch((error) =>
      this.logger.error({ err: error, channel: this.channel }, 'real-time: SUBSCRIBE failed'),
    );
    return () => {
      this.listeners.delete(own);
    };
  }

  /** Opens the subscriber connection once; resolves when this process is subscribed. */
  ensureSubscribed(): Promise<void> {
    if (!this.subscribed) {
      const options: Partial<RedisOptions> = {
        connectionName: 'daybook-notifications',
        lazyConnect: false,
        // Reconnect forever, at most every 5 s; ioredis re-subscribes on reconnect.
        retryStrategy: (attempt: number) => Math.min(attempt * 200, 5000),
        maxRetriesPerRequest: null,
        autoResubscribe: true,
        // The shared connection fails fast; this one waits instead: its SUBSCRIBE may be sent while it is
        // still connecting, and it must not be given up on a slow answer.
        enableOfflineQueue: true,
        commandTimeout: undefined,
      };
      const subscriber: Redis = this.redis.duplicate(options);
      this.subscriber = subscriber;
      let down = false;
      subscriber.on('error', (error: Error) => {
        // ioredis reports every failed reconnect: say it once per outage.
        if (down) return;
        down = true;
        this.logger.warn({ err: error }, 'real-time: Redis subscriber lost; reconnecting');
      });
      subscriber.on('ready', () => {
        if (!down) return;
        down = false;
        this.logger.info('real-time: Redis subscriber back');
      });
      subscriber.on('message', (channel: string, raw: string) => {
        if (channel === this.channel) this.deliver(raw);
      });
      this.subscribed = subscriber.subscribe(this.channel).then(() => undefined);
    }
    return this.subscribed;
  }

  /** For /health: the subscriber connection's state. */
  async check(): Promise<Record<string, unknown>> {
    const subscriber = this.subscriber?.status ?? 'unused';
    if (subscriber !== 'ready' && subscriber !== 'unused')
      throw new Error(`Redis subscriber is ${subscriber}`);
    return { channel: this.channel, subscriber };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    const subscriber = this.subscriber;
    if (!subscriber) return;
    await Promise.race([
      subscriber.quit().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
    subscriber.disconnect();
  }

  private deliver(raw: string): void {
    let userId: unknown;
    let message: unknown;
    try {
      ({ userId, message } = JSON.parse(raw) as { userId: unknown; message: unknown });
    } catch {
      this.logger.warn({ channel: this.channel }, 'real-time: ignored a message that is not JSON');
      return;
    }
    if (typeof userId !== 'string' || !isMessage(message) || message.userId !== userId) {
      this.logger.warn({ channel: this.channel }, 'real-time: ignored a malformed message');
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(userId, message);
      } catch (error) {
        this.logger.error({ err: error }, 'real-time listener failed');
      }
    }
  }
}

function isMessage(value: unknown): value is RealtimeMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    isRealtimeChannel(m.channel) &&
    typeof m.type === 'string' &&
    typeof m.userId === 'string' &&
    typeof m.month === 'string' &&
    typeof m.position === 'string' &&
    typeof m.eventId === 'string' &&
    typeof m.data === 'object' &&
    m.data !== null
  );
}
