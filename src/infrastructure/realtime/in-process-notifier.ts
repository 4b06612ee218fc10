import type {
  NotificationListener,
  Notifier,
  RealtimeMessage,
} from '../../application/ports/notifier.port.js';
import type { Logger } from '../logging/logger.js';

/**
 * The stand-in for Redis pub/sub when `REDIS_URL` is unset: delivers synchronously, in publish order, to
 * the listeners of this process only (one instance runs both roles).
 */
export class InProcessNotifier implements Notifier {
  private readonly listeners = new Set<NotificationListener>();

  constructor(private readonly logger?: Logger) {}

  async publish(userId: string, message: RealtimeMessage): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        listener(userId, message);
      } catch (error) {
        this.logger?.error({ err: error }, 'real-time listener failed');
      }
    }
  }

  subscribe(listener: NotificationListener): () => void {
    // A wrapper, so subscribing the same function twice gives two independent subscriptions.
    const own: NotificationListener = (userId, message) => listener(userId, message);
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
