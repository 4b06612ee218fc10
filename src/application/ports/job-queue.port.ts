import type { JsonObject } from './event-store.port.js';

export type QueueName =
  | 'rebalance'
  | 'close-days'
  | 'import'
  | 'complete-move'
  | 'receipt-ocr'
  | 'notify'
  | 'goal-contribution'
  | 'recurring-expenses';

export interface DeadLetter {
  readonly id: string;
  readonly queue: string;
  readonly payload: JsonObject;
  readonly error?: unknown;
  readonly createdAt: string;
}

/**
 * Background jobs with at-least-once delivery: a failing job is retried with back-off and ends in its
 * queue's dead-letter queue. Handlers must be idempotent.
 */
export interface JobQueue {
  /** Enqueues once per `key` (a UUID): sending the same key again is ignored. */
  send(queue: QueueName, payload: JsonObject, key: string): Promise<void>;
  work(queue: QueueName, handler: (payload: JsonObject) => Promise<void>): Promise<void>;
  /** Runs `queue` on a cron schedule (UTC). */
  schedule(queue: QueueName, cron: string): Promise<void>;
  deadLetters(queue: QueueName): Promise<DeadLetter[]>;
}
