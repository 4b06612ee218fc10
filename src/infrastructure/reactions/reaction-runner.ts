import type { Pool, PoolClient } from 'pg';
import {
  type EventStore,
  type RecordedEvent,
  START,
  type Subscription,
} from '../../application/ports/event-store.port.js';
import type { JobQueue } from '../../application/ports/job-queue.port.js';
import { jobsFor } from '../../application/reactions/jobs.js';
import type { Logger } from '../logging/logger.js';
import { isUnavailable } from '../postgres/unavailable.js';
import { withClient } from '../postgres/with-client.js';
import { ParkedEvents, REACTIONS } from '../projections/parked-events.js';
import { applyToRecurringDirectory } from './postgres-recurring-directory.js';
import { applyToUserDirectory } from './postgres-user-directory.js';

const LEADER_LOCK = 7_400_002;
const LEADER_RETRY_MS = 2000;

/**
 * What the log's facts set in motion: jobs (the redistribution policy, finishing moves), a row of the
 * user directory.
 * Runs in the checkpoint's transaction; the job is sent first (keyed by the event id, so sending it again
 * is harmless), so a crash re-sends at worst, never loses.
 */
export const reactTo =
  (jobs: JobQueue) =>
  async (client: PoolClient, event: RecordedEvent): Promise<void> => {
    for (const job of jobsFor(event)) await jobs.send(job.queue, job.payload, job.key);
    await applyToUserDirectory(client, event);
    await applyToRecurringDirectory(client, event);
  };

/**
 * Follows `$all` and turns facts into work (`reactTo`). One runner leads at a time (an advisory lock);
 * the others wait to take over. It reads the log as stored: no reaction needs personal data, so an event
 * whose personal fields cannot be decrypted still gets its reactions. An event a reaction cannot handle
 * is parked (consumer `reactions`) and the checkpoint moves past it; when the database is unavailable,
 * the runner lets go, waits and resumes from its checkpoint.
 */
export class ReactionRunner {
  private stopped = false;
  private subscription: Subscription | undefined;
  private leader: PoolClient | undefined;
  private loop: Promise<void> | undefined;
  private readonly react: (client: PoolClient, event: RecordedEvent) => Promise<void>;
  readonly parking: ParkedEvents;
  position = START;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    jobs: JobQueue,
    private readonly logger: Logger,
    parking?: ParkedEvents,
  ) {
    this.react = reactTo(jobs);
    this.parking = parking ?? new ParkedEvents(pool);
    this.parking.register(
      REACTIONS,
      async (client, event) => {
        await this.react(client, event);
        return 'applied';
      },
      store,
    );
  }

  start(): void {
    this.loop = this.lead();
  }

  /** Takes the lead when it is free and follows until stopped; after a failure, lets go and tries again. */
  private async lead(): Promise<void> {
    while (!this.stopped) {
      try {
        const client = await this.pool.connect();
        // Losing the leader's connection (server gone) must not end the process: stop following instead.
        client.on('error', (error) => this.lostLeader(client, error));
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
          LEADER_LOCK,
        ]);
        if (rows[0]?.ok) {
          this.leader = client;
          await this.follow();
          await this.resign();
        } else {
          client.removeAllListeners('error');
          client.release();
        }
      } catch (error) {
        this.parking.countFailure(REACTIONS, isUnavailable(error) ? 'unavailable' : 'other');
        this.logger.error({ err: error }, 'reaction runner failed; retrying');
        await this.resign();
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, LEADER_RETRY_MS));
    }
  }

  private lostLeader(client: PoolClient, error: unknown): void {
    this.logger.warn({ err: error }, 'reaction runner lost its database connection; following again later');
    if (this.leader !== client) return;
    this.leader = undefined;
    client.release(error as Error);
    this.subscription?.stop().catch(() => undefined);
  }

  private async resign(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    if (!leader) return;
    await leader.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined);
    leader.removeAllListeners('error');
    leader.release();
  }

  private async follow(): Promise<void> {
    const { rows } = await this.pool.query<{ position: string }>(
      'SELECT position FROM subscription_checkpoints WHERE name = $1',
      [REACTIONS],
    );
    this.position = rows[0]?.position ?? START;
    this.logger.info({ position: this.position }, 'reaction runner leading');
    this.subscription = this.store.subscribeToAll({
      after: this.position,
      onEvents: (batch) => this.handle(batch),
    });
    await this.subscription.done.catch((error) => {
      this.parking.countFailure(REACTIONS, isUnavailable(error) ? 'unavailable' : 'other');
      this.logger.error({ err: error, position: this.position }, 'reaction runner stopped on an error');
    });
  }

  /** The batch in one transaction; if an event fails it, again one event at a time, parking what fails. */
  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    try {
      await this.commit(batch, 'together');
    } catch (error) {
      if (isUnavailable(error)) throw error;
      await this.commit(batch, 'one-by-one');
    }
    this.position = last.position;
  }

  private async commit(batch: readonly RecordedEvent[], mode: 'together' | 'one-by-one'): Promise<void> {
    const last = batch[batch.length - 1] as RecordedEvent;
    await withClient(this.pool, async (client) => {
      await client.query('BEGIN');
      try {
        for (const event of batch) {
          if (mode === 'together') await this.react(client, event);
          else await this.reactAlone(client, event);
        }
        await client.query(
          `INSERT INTO subscription_checkpoints (name, position) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
          [REACTIONS, last.position],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async reactAlone(client: PoolClient, event: RecordedEvent): Promise<void> {
    await client.query('SAVEPOINT one_event');
    try {
      await this.react(client, event);
      await client.query('RELEASE SAVEPOINT one_event');
    } catch (error) {
      if (isUnavailable(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT one_event');
      await this.parking.park(client, { consumer: REACTIONS, generation: 0, event, error });
      this.parking.countFailure(REACTIONS, 'event');
      this.logger.error(
        { err: error, event: event.id, type: event.type, position: event.position },
        'reaction could not handle an event: parked (see `daybook projections errors`)',
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    await this.loop;
  }
}
