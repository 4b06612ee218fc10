import type { Pool, PoolClient } from 'pg';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.port.js';
import type {
  ParkedEvent,
  ParkedEventsAdmin,
  RetryReport,
  RunnerFailures,
} from '../../application/ports/parked-events.port.js';
import { isUnavailable } from '../postgres/unavailable.js';
import { withClient } from '../postgres/with-client.js';

/**
 * Applies a parked event again, inside the retry's transaction. Answers 'gone' when there is nothing to
 * apply it to any more (its projection generation was retired by a rebuild).
 */
export type Retrier = (
  client: PoolClient,
  event: RecordedEvent,
  generation: number,
) => Promise<'applied' | 'gone'>;

export const REACTIONS = 'reactions';
const MAX_ERROR = 2000;

interface ParkedRow {
  consumer: string;
  generation: number;
  event_id: string;
  position: string;
  stream_name: string;
  stream_revision: string;
  event_type: string;
  error: string;
  attempts: number;
  parked_at: Date;
  last_attempt_at: Date;
}

/** Table `parked_events` (migration 010): what the runners set aside, and the operator's retry. */
export class ParkedEvents implements ParkedEventsAdmin {
  private readonly retriers = new Map<string, { retrier: Retrier; store: EventStore }>();
  private readonly failures = new Map<string, number>();

  constructor(private readonly pool: Pool) {}

  /** How `consumer`'s parked events are retried in this process, read from `store` as the consumer reads. */
  register(consumer: string, retrier: Retrier, store: EventStore): void {
    this.retriers.set(consumer, { retrier, store });
  }

  /** Parks `event` in the consumer's own transaction, so it commits with the checkpoint that skips it. */
  async park(
    client: PoolClient,
    entry: { consumer: string; generation: number; event: RecordedEvent; error: unknown },
  ): Promise<void> {
    const { consumer, generation, event } = entry;
    await client.query(
      `INSERT INTO parked_events (consumer, generation, event_id, position, stream_name, stream_revision, event_type, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (consumer, generation, event_id) DO UPDATE
         SET error = EXCLUDED.error, attempts = parked_events.attempts + 1, last_attempt_at = now()`,
      [
        consumer,
        generation,
        event.id,
        event.position,
        event.streamName,
        event.revision.toString(),
        event.type,
        describe(entry.error),
      ],
    );
  }

  countFailure(consumer: string, kind: RunnerFailures['kind']): void {
    const key = `${consumer}\n${kind}`;
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }

  runnerFailures(): RunnerFailures[] {
    return [...this.failures].map(([key, count]) => {
      const [consumer, kind] = key.split('\n') as [string, RunnerFailures['kind']];
      return { consumer, kind, count };
    });
  }

  async list(): Promise<ParkedEvent[]> {
    const { rows } = await this.pool.query<ParkedRow>(
      `SELECT consumer, generation, event_id::text, position, stream_name, stream_revision::text, event_type, error,
              attempts, parked_at, last_attempt_at
       FROM parked_events ORDER BY parked_at, consumer, generation`,
    );
    return rows.map(toParked);
  }

  async counts(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ consumer: string; n: number }>(
      'SELECT consumer, count(*)::int AS n FROM parked_events GROUP BY consumer ORDER BY consumer',
    );
    return Object.fromEntries(rows.map((r) => [r.consumer, r.n]));
  }

  /** Forgets what a retired generation parked: a rebuild parks again whatever still fails. */
  async forgetGeneration(client: PoolClient, consumer: string, generation: number): Promise<void> {
    await client.query('DELETE FROM parked_events WHERE consumer = $1 AND generation = $2', [
      consumer,
      generation,
    ]);
  }

  /**
   * Applies each selected parked event again, one transaction each: on success it is removed, on failure
   * its error and attempts are updated. Ordering caveat: a retried event is applied after the events that
   * followed it in the log (they were not held back). A read model whose handlers depend on order (an
   * amendment applied before the expense it amends was recorded) can then differ from a rebuild; when in
   * doubt, `projections rebuild <name>` gives the exact state from the log.
   */
  async retry(selection: { eventId: string } | { all: true }): Promise<RetryReport> {
    const { rows } = await this.pool.query<ParkedRow>(
      `SELECT consumer, generation, event_id::text, position, stream_name, stream_revision::text, event_type, error,
              attempts, parked_at, last_attempt_at
       FROM parked_events WHERE $1::uuid IS NULL OR event_id = $1::uuid ORDER BY parked_at`,
      ['eventId' in selection ? selection.eventId : null],
    );
    let resolved = 0;
    let dropped = 0;
    const failing: ParkedEvent[] = [];
    for (const row of rows) {
      const outcome = await this.retryOne(row);
      if (outcome === 'applied') resolved += 1;
      else if (outcome === 'gone') dropped += 1;
      else failing.push(outcome);
    }
    return { resolved, dropped, failing };
  }

  private async retryOne(row: ParkedRow): Promise<'applied' | 'gone' | ParkedEvent> {
    const consumer = this.retriers.get(row.consumer);
    return withClient(this.pool, async (client) => {
      await client.query('BEGIN');
      try {
        if (!consumer) throw new Error(`no consumer "${row.consumer}" in this version of Daybook`);
        const event = await read(consumer.store, row);
        const outcome = await consumer.retrier(client, event, row.generation);
        await client.query(
          'DELETE FROM parked_events WHERE consumer = $1 AND generation = $2 AND event_id = $3',
          [row.consumer, row.generation, row.event_id],
        );
        await client.query('COMMIT');
        return outcome;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (isUnavailable(error)) throw error;
        const { rows } = await client.query<ParkedRow>(
          `UPDATE parked_events SET error = $4, attempts = attempts + 1, last_attempt_at = now()
           WHERE consumer = $1 AND generation = $2 AND event_id = $3
           RETURNING consumer, generation, event_id::text, position, stream_name, stream_revision::text, event_type,
                     error, attempts, parked_at, last_attempt_at`,
          [row.consumer, row.generation, row.event_id, describe(error)],
        );
        return toParked(rows[0] ?? row);
      }
    });
  }
}

/** The parked event as its consumer reads it (decrypted for projections: a key still missing fails again). */
async function read(store: EventStore, row: ParkedRow): Promise<RecordedEvent> {
  const [event] = await store.readStream(row.stream_name, {
    fromRevision: BigInt(row.stream_revision),
    maxCount: 1,
  });
  if (event?.id !== row.event_id)
    throw new Error(`event ${row.event_id} is no longer at ${row.stream_name}@${row.stream_revision}`);
  return { ...event, position: row.position };
}

const describe = (error: unknown) =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR);

const toParked = (r: ParkedRow): ParkedEvent => ({
  consumer: r.consumer,
  generation: r.generation,
  eventId: r.event_id,
  position: r.position,
  stream: r.stream_name,
  revision: r.stream_revision,
  type: r.event_type,
  error: r.error,
  attempts: r.attempts,
  parkedAt: r.parked_at.toISOString(),
  lastAttemptAt: r.last_attempt_at.toISOString(),
});
