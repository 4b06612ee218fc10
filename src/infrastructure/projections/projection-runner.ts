import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  parsePosition,
  type RecordedEvent,
  START,
} from '../../application/ports/event-store.port.js';
import type { ProjectionAdmin, ProjectionStatus } from '../../application/ports/projection-admin.port.js';
import { CryptoShreddingEventStore, type SettledEvent } from '../event-store/crypto-shredding-event-store.js';
import type { Logger } from '../logging/logger.js';
import { isUnavailable } from '../postgres/unavailable.js';
import { ParkedEvents } from './parked-events.js';
import type { Projection } from './projection.js';

export interface Generation extends Omit<ProjectionStatus, 'lag'> {
  readonly schema: string;
}

export interface RunnerOptions {
  readonly batchSize?: number;
  readonly idleMs?: number;
  /**
   * Called after a batch of a live generation is committed (so readers see it), outside the
   * transaction, with the whole batch in log order. Not called for generations being built, so a
   * rebuild replays nothing to it. It must not block: a returned promise is not awaited, and a throw or
   * a rejection is logged and never stops the runner.
   */
  readonly onCommitted?: (projection: string, events: readonly RecordedEvent[]) => void | Promise<void>;
  /** Where events that fail are parked (and how they are retried); one of its own when not given. */
  readonly parking?: ParkedEvents;
}

const CHANNEL = 'daybook_projections';
/** Large batches amortise the per-batch round trips; memory stays bounded by the batch. */
const DEFAULT_BATCH_SIZE = 10_000;
const RETRY_LOCK_MS = 2000;
/** A generation that failed (database unavailable, or a bug outside any event) waits this long, doubling. */
const BACKOFF_MS = { first: 1000, max: 30_000 };
const schemaName = (name: string, generation: number) => `proj_${name.replaceAll('-', '_')}_g${generation}`;
export const viewName = (projection: string, table: string) =>
  `read.${projection.replaceAll('-', '_')}_${table}`;

/**
 * Keeps every projection's live generation up to date and builds new generations beside it. Each
 * generation is driven by whoever holds its advisory lock (one process at a time, any process can take
 * over), reading `$all` in batches and committing each batch with its checkpoint. A generation that is
 * built from scratch (new version, or an explicit rebuild) replaces the live one atomically once it has
 * caught up: readers use views in schema `read`, and the swap replaces them in one transaction.
 *
 * An event the projection cannot handle (its handler throws, or its personal data cannot be read) is
 * parked in the batch's transaction and the checkpoint moves past it. When the database is unavailable
 * nothing is parked: the generation pauses with back-off and resumes from its checkpoint.
 */
export class ProjectionRunner implements ProjectionAdmin {
  private stopped = false;
  private supervisor: Promise<void> | undefined;
  private readonly loops = new Map<string, Promise<void>>();
  /** Per generation schema: when it may run again after a failure, and the next delay. */
  private readonly backoff = new Map<string, { until: number; delay: number }>();
  private readonly wake = new EventEmitter();
  readonly parking: ParkedEvents;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly logger: Logger,
    private readonly options: RunnerOptions = {},
  ) {
    this.wake.setMaxListeners(0);
    this.parking = options.parking ?? new ParkedEvents(pool);
    for (const projection of projections) {
      this.parking.register(
        projection.name,
        (client, event, generation) => this.retryParked(projection, client, event, generation),
        store,
      );
    }
  }

  private projection(name: string): Projection {
    const found = this.projections.find((p) => p.name === name);
    if (!found)
      throw new Error(
        `Unknown projection "${name}"; known: ${this.projections.map((p) => p.name).join(', ')}`,
      );
    return found;
  }

  /** Creates the first generation of each projection (live at once), or a building one for a new version. */
  async ensureGenerations(): Promise<void> {
    for (const projection of this.projections) {
      const generations = await this.generations(projection.name);
      const live = generations.find((g) => g.status === 'live');
      if (!live) {
        if (!generations.some((g) => g.status === 'building'))
          await this.createGeneration(projection, 'live');
      } else if (
        live.version !== projection.version &&
        !generations.some((g) => g.status === 'building' && g.version === projection.version)
      ) {
        await this.createGeneration(projection, 'building');
      }
    }
  }

  /** Starts a fresh generation of `name` from position 0; the live one keeps serving until it is caught up. */
  async rebuild(name: string): Promise<ProjectionStatus> {
    const generation = await this.createGeneration(this.projection(name), 'building');
    return { ...generation, lag: lag(generation.position, await this.store.headPosition()) };
  }

  async status(): Promise<ProjectionStatus[]> {
    const [generations, head] = await Promise.all([this.generations(), this.store.headPosition()]);
    return generations
      .filter((g) => g.status !== 'retired')
      .map(({ schema: _, ...g }) => ({ ...g, lag: lag(g.position, head) }));
  }

  /** Prepares the generations (views exist when it resolves), then drives them in the background. */
  async start(): Promise<void> {
    await this.ensureGenerations();
    this.supervisor = this.supervise();
  }

  /** Runs every generation that this build's code can drive, until stopped. */
  private async supervise(): Promise<void> {
    while (!this.stopped) {
      try {
        for (const g of await this.generations()) {
          const code = this.projections.find((p) => p.name === g.name);
          const runnable = code?.version === g.version && (g.status === 'live' || g.status === 'building');
          if (runnable && !this.loops.has(g.schema) && !this.waiting(g.schema)) {
            const loop = this.drive(code, g)
              .catch((error) => this.paused(g, error))
              .finally(() => this.loops.delete(g.schema));
            this.loops.set(g.schema, loop);
          }
        }
      } catch (error) {
        this.logger.error({ err: error }, 'projection supervisor failed; retrying');
      }
      await this.sleep(RETRY_LOCK_MS);
    }
  }

  private waiting(schema: string): boolean {
    return (this.backoff.get(schema)?.until ?? 0) > Date.now();
  }

  /** A generation's loop failed: it pauses (longer each time) and the supervisor resumes it from its checkpoint. */
  private paused(generation: Generation, error: unknown): void {
    const unavailable = isUnavailable(error);
    this.parking.countFailure(generation.name, unavailable ? 'unavailable' : 'other');
    const delay = Math.min(this.backoff.get(generation.schema)?.delay ?? BACKOFF_MS.first, BACKOFF_MS.max);
    this.backoff.set(generation.schema, { until: Date.now() + delay, delay: delay * 2 });
    const context = {
      err: error,
      projection: generation.name,
      generation: generation.generation,
      retryInMs: delay,
    };
    if (unavailable) this.logger.warn(context, 'database unavailable: projection paused');
    else this.logger.error(context, 'projection failed outside any event: paused');
  }

  /** Drives one generation until it is retired or the runner stops; throws when it must pause. Returns at once if another process holds it. */
  private async drive(projection: Projection, generation: Generation): Promise<void> {
    const client = await this.pool.connect();
    // A server that goes away makes a checked-out client emit 'error': unheard, it would end the process.
    let lost: unknown;
    const onError = (error: unknown) => {
      lost = error;
    };
    client.on('error', onError);
    let locked = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
        [generation.schema],
      );
      locked = rows[0]?.ok === true;
      if (!locked) return;
      this.logger.info(
        { projection: projection.name, generation: generation.generation, status: generation.status },
        'projection generation running',
      );
      const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
      // The next batch is read while the current one is applied: reading and applying overlap.
      let prefetched: { after: GlobalPosition; events: Promise<SettledEvent[]> } | undefined;
      while (!this.stopped) {
        const current = await this.generation(projection.name, generation.generation, client);
        if (!current || (current.status !== 'live' && current.status !== 'building')) return;
        const events = await (prefetched?.after === current.position
          ? prefetched.events
          : this.read(current.position, batchSize));
        prefetched = undefined;
        if (events.length === batchSize) {
          const after = (events[events.length - 1] as SettledEvent).event.position;
          const next = this.read(after, batchSize);
          next.catch(() => undefined);
          prefetched = { after, events: next };
        }
        if (events.length === 0) {
          if (current.status === 'building') await this.swap(projection, current, client);
          await this.sleep(this.options.idleMs ?? 100);
          continue;
        }
        await this.applyBatch(projection, current, events, client);
        this.backoff.delete(generation.schema);
      }
    } catch (error) {
      if (isUnavailable(error)) lost ??= error;
      throw error;
    } finally {
      // A healthy client goes back to the pool without this listener; a lost one keeps it to the end.
      if (lost === undefined) client.off('error', onError);
      if (lost === undefined && locked)
        await client
          .query('SELECT pg_advisory_unlock(hashtext($1))', [generation.schema])
          .catch(() => undefined);
      // A connection that failed is closed (its session lock goes with it), never handed out again.
      client.release(lost === undefined ? undefined : (lost as Error));
    }
  }

  /** The next batch; through the crypto-shredding store each event is decrypted on its own. */
  private async read(after: GlobalPosition, maxCount: number): Promise<SettledEvent[]> {
    if (this.store instanceof CryptoShreddingEventStore)
      return this.store.readAllSettled({ after, maxCount });
    return (await this.store.readAll({ after, maxCount })).map((event) => ({ event }));
  }

  /**
   * Applies the batch in one transaction. When it fails for a reason other than the database, the same
   * batch is applied again one event at a time (a savepoint each), parking whichever events fail, and
   * the rest commits with the checkpoint: still one transaction, so still exactly once.
   */
  private async applyBatch(
    projection: Projection,
    generation: Generation,
    events: readonly SettledEvent[],
    client: PoolClient,
  ): Promise<void> {
    try {
      await this.commit(projection, generation, events, client, 'together');
    } catch (error) {
      if (isUnavailable(error)) throw error;
      await this.commit(projection, generation, events, client, 'one-by-one');
    }
  }

  private async commit(
    projection: Projection,
    generation: Generation,
    events: readonly SettledEvent[],
    client: PoolClient,
    mode: 'together' | 'one-by-one',
  ): Promise<void> {
    const last = (events[events.length - 1] as SettledEvent).event;
    const relevant = events.filter((e) => projection.eventTypes.has(e.event.type));
    await client.query('BEGIN');
    // A read model is derived data: a batch lost in a crash is re-applied from the checkpoint it commits with.
    await client.query('SET LOCAL synchronous_commit = off');
    const parked = new Set<RecordedEvent>();
    try {
      const park = async (event: RecordedEvent, error: unknown) => {
        parked.add(event);
        await this.parking.park(client, {
          consumer: projection.name,
          generation: generation.generation,
          event,
          error,
        });
      };
      for (const { event, unreadable } of relevant) if (unreadable) await park(event, unreadable);
      const readable = relevant.filter((e) => !e.unreadable).map((e) => e.event);
      if (mode === 'together' && readable.length > 0)
        await projection.applyBatch(client, generation.schema, readable);
      if (mode === 'one-by-one') {
        for (const event of readable) {
          const error = await this.applyAlone(projection, generation, event, client);
          if (error !== undefined) await park(event, error);
        }
      }
      const { rowCount } = await client.query(
        `UPDATE projection_generations SET position = $3, events_applied = events_applied + $4, updated_at = now()
         WHERE name = $1 AND generation = $2 AND position = $5 AND status IN ('live', 'building')`,
        [generation.name, generation.generation, last.position, events.length, generation.position],
      );
      if (rowCount !== 1) throw new Error(`checkpoint of ${generation.schema} moved under this runner`);
      await client.query(`SELECT pg_notify('${CHANNEL}', $1)`, [generation.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    if (parked.size > 0) this.reportParked(projection, generation, [...parked]);
    const applied = events.map((e) => e.event).filter((e) => !parked.has(e));
    if (generation.status === 'live') this.committed(generation.name, applied);
  }

  /** Applies one event under a savepoint; answers the error when it is the event's fault. */
  private async applyAlone(
    projection: Projection,
    generation: Generation,
    event: RecordedEvent,
    client: PoolClient,
  ): Promise<unknown> {
    await client.query('SAVEPOINT one_event');
    try {
      await projection.applyBatch(client, generation.schema, [event]);
      await client.query('RELEASE SAVEPOINT one_event');
      return undefined;
    } catch (error) {
      if (isUnavailable(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT one_event');
      return error;
    }
  }

  private reportParked(
    projection: Projection,
    generation: Generation,
    events: readonly RecordedEvent[],
  ): void {
    for (const event of events) {
      this.parking.countFailure(projection.name, 'event');
      this.logger.error(
        {
          projection: projection.name,
          generation: generation.generation,
          event: event.id,
          type: event.type,
          position: event.position,
        },
        'projection could not handle an event: parked (see `daybook projections errors`)',
      );
    }
  }

  /** The operator's retry of a parked event: applied to its generation if that still runs this code. */
  private async retryParked(
    projection: Projection,
    client: PoolClient,
    event: RecordedEvent,
    generation: number,
  ): Promise<'applied' | 'gone'> {
    const current = await this.generation(projection.name, generation, client);
    if (!current || (current.status !== 'live' && current.status !== 'building')) return 'gone';
    if (current.version !== projection.version)
      throw new Error(
        `generation ${generation} of ${projection.name} is version ${current.version}, this build has ${projection.version}`,
      );
    await projection.applyBatch(client, current.schema, [event]);
    return 'applied';
  }

  private committed(projection: string, events: readonly RecordedEvent[]): void {
    const hook = this.options.onCommitted;
    if (!hook) return;
    const failed = (error: unknown) =>
      this.logger.error({ err: error, projection }, 'projection onCommitted hook failed');
    try {
      const result = hook(projection, events);
      if (result) result.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  /** Publishes a caught-up building generation: views switch, the old generation retires and its schema goes. */
  private async swap(projection: Projection, generation: Generation, client: PoolClient): Promise<void> {
    await client.query('BEGIN');
    let retired: string[] = [];
    try {
      const { rows } = await client.query<{ schema_name: string; generation: number }>(
        `SELECT schema_name, generation FROM projection_generations WHERE name = $1 AND status = 'live' FOR UPDATE`,
        [projection.name],
      );
      retired = rows.map((r) => r.schema_name);
      for (const old of rows) await this.parking.forgetGeneration(client, projection.name, old.generation);
      await this.publish(projection, generation.schema, client);
      await client.query(
        `UPDATE projection_generations SET status = 'retired', updated_at = now() WHERE name = $1 AND status = 'live'`,
        [projection.name],
      );
      await client.query(
        `UPDATE projection_generations SET status = 'live', updated_at = now() WHERE name = $1 AND generation = $2`,
        [projection.name, generation.generation],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    for (const schema of retired) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    this.logger.info(
      { projection: projection.name, generation: generation.generation },
      'projection generation swapped in',
    );
  }

  private async publish(projection: Projection, schema: string, client: PoolClient): Promise<void> {
    for (const table of projection.publishedTables) {
      const view = viewName(projection.name, table);
      await client.query(`DROP VIEW IF EXISTS ${view}`);
      await client.query(`CREATE VIEW ${view} AS SELECT * FROM ${schema}.${table}`);
    }
  }

  private async createGeneration(projection: Projection, status: 'live' | 'building'): Promise<Generation> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`create:${projection.name}`]);
      const { rows } = await client.query<{ next: number }>(
        'SELECT coalesce(max(generation), 0) + 1 AS next FROM projection_generations WHERE name = $1',
        [projection.name],
      );
      const generation = rows[0]?.next ?? 1;
      const schema = schemaName(projection.name, generation);
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(projection.ddl(schema));
      await client.query(
        `INSERT INTO projection_generations (name, generation, version, schema_name, status, position) VALUES ($1, $2, $3, $4, $5, $6)`,
        [projection.name, generation, projection.version, schema, status, START],
      );
      if (status === 'live') await this.publish(projection, schema, client);
      await client.query('COMMIT');
      this.logger.info({ projection: projection.name, generation, status }, 'projection generation created');
      return (await this.generation(projection.name, generation)) as Generation;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async generations(name?: string): Promise<Generation[]> {
    const { rows } = await this.pool.query<GenerationRow>(
      `SELECT * FROM projection_generations WHERE $1::text IS NULL OR name = $1 ORDER BY name, generation`,
      [name ?? null],
    );
    return rows.map(toGeneration);
  }

  private async generation(
    name: string,
    generation: number,
    client?: PoolClient,
  ): Promise<Generation | undefined> {
    const { rows } = await (client ?? this.pool).query<GenerationRow>(
      'SELECT * FROM projection_generations WHERE name = $1 AND generation = $2',
      [name, generation],
    );
    return rows[0] && toGeneration(rows[0]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake.once('stop', done);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.emit('stop');
    await this.supervisor;
    await Promise.all(this.loops.values());
  }
}

interface GenerationRow {
  name: string;
  generation: number;
  version: number;
  schema_name: string;
  status: Generation['status'];
  position: string;
  events_applied: string;
  error: string | null;
  failed_event: Generation['failedEvent'] | null;
  updated_at: Date;
}

const toGeneration = (r: GenerationRow): Generation => ({
  name: r.name,
  generation: r.generation,
  version: r.version,
  schema: r.schema_name,
  status: r.status,
  position: r.position,
  eventsApplied: Number(r.events_applied),
  ...(r.error ? { error: r.error } : {}),
  ...(r.failed_event ? { failedEvent: r.failed_event } : {}),
  updatedAt: r.updated_at.toISOString(),
});

/** How far `position` is behind `head`, in sequence numbers (exact on PostgreSQL, an estimate elsewhere). */
export function lag(position: GlobalPosition, head: GlobalPosition): number {
  if (comparePositions(position, head) >= 0) return 0;
  return Number(parsePosition(head)[1] - parsePosition(position)[1]);
}
