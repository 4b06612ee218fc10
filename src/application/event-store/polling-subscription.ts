import type { EventStore, SubscribeOptions, Subscription } from '../ports/event-store.port.js';
import { START } from '../ports/event-store.port.js';

/**
 * Catch-up subscription over `readAll`: reads batches from the checkpoint until caught up, then sleeps
 * until `wake` fires (a commit notification) or `idleMs` passes. Delivery order is `$all` order, and a
 * batch is handed over only after the previous one was handled, so a handler that stores its checkpoint
 * with its effects gets an exactly-once effect.
 */
export function pollingSubscription(
  store: Pick<EventStore, 'readAll'>,
  options: SubscribeOptions,
  wake: (listener: () => void) => () => void,
  idleMs = 250,
): Subscription {
  let running = true;
  let nudge: (() => void) | undefined;
  const unsubscribe = wake(() => nudge?.());
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, idleMs);
      nudge = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let after = options.after ?? START;
    try {
      while (running) {
        const batch = await store.readAll({ after, maxCount: options.batchSize ?? 500 });
        if (!running) break;
        if (batch.length === 0) {
          await sleep();
          continue;
        }
        await options.onEvents(batch);
        after = (batch[batch.length - 1] as (typeof batch)[number]).position;
      }
    } finally {
      running = false;
      unsubscribe();
    }
  };

  const done = loop();
  done.catch((error) => options.onError?.(error));
  return {
    done,
    stop: async () => {
      running = false;
      nudge?.();
      await done.catch(() => undefined);
    },
  };
}
