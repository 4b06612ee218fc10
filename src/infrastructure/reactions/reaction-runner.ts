import type { Pool, PoolClient } from 'pg';
import { type EventStore, START, type Subscription } from '../../application/ports/event-store.port.js';
import type { JobQueue } from '../../application/ports/job-queue.port.js';
import { jobsFor } from '../../application/reactions/jobs.js';
import type { Logger } from '../logging/logger.js';
import { applyToUserDirectory } from './postgres-user-directory.js';

const NAME = 'reactions';
const LEADER_LOCK = 7_400_002;
const LEADER_RETRY_MS = 2000;

/**
 * Follows `$all` and turns facts into work: jobs for the redistribution policy, rows for the user
 * directory. One runner leads at a time (an advisory lock); the others wait to take over. Jobs are
 * keyed by event id and sent before the checkpoint moves, so a crash re-sends at worst, never loses.
 */
export class ReactionRunner {
  private stopped = false;
  private subscription: Subscription | undefined;
  private leader: PoolClient | undefined;
  private loop: Promise<void> | undefined;
  position = START;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly jobs: JobQueue,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.loop = this.lead();
  }

  /** Takes the lead when it is free and follows until stopped; after a failure, lets go and tries again. */
  private async lead(): Promise<void> {
    while (!this.stopped) {
      try {
        const client = await this.pool.connect();
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
          LEADER_LOCK,
        ]);
        if (rows[0]?.ok) {
          this.leader = client;
          await this.follow();
          await this.resign();
        } else {
          client.release();
        }
      } catch (error) {
        this.logger.error({ err: error }, 'reaction runner failed; retrying');
        await this.resign();
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, LEADER_RETRY_MS));
    }
  }

  private async resign(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    if (!leader) return;
    await leader.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined);
    leader.release();
  }

  private async follow(): Promise<void> {
    const { rows } = await this.pool.query<{ position: string }>(
      'SELECT position FROM subscription_checkpoints WHERE name = $1',
      [NAME],
    );
    this.position = rows[0]?.position ?? START;
    this.logger.info({ position: this.position }, 'reaction runner leading');
    this.subscription = this.store.subscribeToAll({
      after: this.position,
      onEvents: async (batch) => {
        for (const event of batch) {
          for (const job of jobsFor(event)) await this.jobs.send(job.queue, job.payload, job.key);
        }
        const last = batch[batch.length - 1];
        if (!last) return;
        const client = await this.pool.connect();
        try {
          await client.query('BEGIN');
          for (const event of batch) await applyToUserDirectory(client, event);
          await client.query(
            `INSERT INTO subscription_checkpoints (name, position) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
            [NAME, last.position],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
        this.position = last.position;
      },
    });
    await this.subscription.done.catch((error) => {
      this.logger.error({ err: error, position: this.position }, 'reaction runner stopped on an error');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    await this.loop;
  }
}
