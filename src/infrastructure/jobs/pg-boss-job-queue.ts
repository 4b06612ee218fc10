import type { Pool } from 'pg';
import PgBoss from 'pg-boss';
import type { JsonObject } from '../../application/ports/event-store.port.js';
import type { DeadLetter, JobQueue, QueueName } from '../../application/ports/job-queue.port.js';

const QUEUES: readonly QueueName[] = [
  'rebalance',
  'close-days',
  'import',
  'complete-move',
  'receipt-ocr',
  'notify',
  'goal-contribution',
  'recurring-expenses',
];
const deadLetterOf = (queue: QueueName) => `${queue}-dead`;

/**
 * pg-boss on the application's PostgreSQL pool. Each queue retries a failing job with exponential
 * back-off, then moves it to `<queue>-dead`, where `deadLetters` lists it for an operator.
 */
export class PgBossJobQueue implements JobQueue {
  private readonly workers = new Map<QueueName, string>();

  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: Pool,
  ) {}

  static async start(
    pool: Pool,
    options: { retryLimit?: number; retryDelaySeconds?: number; onError?: (error: Error) => void } = {},
  ): Promise<PgBossJobQueue> {
    const boss = new PgBoss({
      db: {
        // A job still running when stop() gave up waiting (a long day close, say) finishes after the pool
        // has ended; what pg-boss then writes (complete, fail) is dropped instead of rejecting where
        // nobody listens: it reads a missing result as "nothing affected". The job stays active,
        // expires and runs again: at-least-once, as before.
        executeSql: (text, values) =>
          (pool as Pool & { ending?: boolean }).ending
            ? Promise.resolve(undefined as never)
            : pool.query(text, values),
      },
      schema: 'pgboss',
    });
    // pg-boss reports failed polls and maintenance here and carries on (its workers poll again), so an
    // outage is worth a log line, not a crash: an 'error' event without a listener would be one.
    boss.on('error', (error) => options.onError?.(error));
    await boss.start();
    for (const queue of QUEUES) {
      await boss.createQueue(deadLetterOf(queue));
      await boss.createQueue(queue, {
        name: queue,
        retryLimit: options.retryLimit ?? 5,
        retryDelay: options.retryDelaySeconds ?? 2,
        retryBackoff: true,
        deadLetter: deadLetterOf(queue),
      });
    }
    return new PgBossJobQueue(boss, pool);
  }

  async send(queue: QueueName, payload: JsonObject, key: string): Promise<void> {
    await this.boss.send(queue, payload, { id: key });
    const worker = this.workers.get(queue);
    if (worker) this.boss.notifyWorker(worker);
  }

  async work(queue: QueueName, handler: (payload: JsonObject) => Promise<void>): Promise<void> {
    const id = await this.boss.work<JsonObject>(
      queue,
      { pollingIntervalSeconds: 0.5, batchSize: 1 },
      async ([job]) => {
        if (job) await handler(job.data);
      },
    );
    this.workers.set(queue, id);
  }

  async schedule(queue: QueueName, cron: string): Promise<void> {
    await this.boss.schedule(queue, cron, {}, { tz: 'UTC' });
  }

  async deadLetters(queue: QueueName): Promise<DeadLetter[]> {
    const { rows } = await this.pool.query<{
      id: string;
      data: JsonObject;
      output: unknown;
      created_on: Date;
    }>(
      `SELECT id, data, output, created_on FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'failed')
       ORDER BY created_on LIMIT 500`,
      [deadLetterOf(queue)],
    );
    return rows.map((r) => ({
      id: r.id,
      queue: deadLetterOf(queue),
      payload: r.data,
      error: r.output ?? undefined,
      createdAt: r.created_on.toISOString(),
    }));
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}
