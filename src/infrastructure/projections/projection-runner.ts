import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  START,
} from '../../application/ports/event-store.port.js';
import { type Projection, viewName } from '../../application/ports/projection.port.js';
import type { ProjectionAdmin, ProjectionStatus } from '../../application/ports/projection-admin.port.js';
import { CryptoShreddingEventStore, type SettledEvent } from '../event-store/crypto-shredding-event-store.js';
import type { Logger } from '../logging/logger.js';
import { isUnavailable } from '../postgres/unavailable.js';
import { CommitWakeups } from './commit-wakeups.js';
import {
  findGeneration,
  type Generation,
  generationsBySchema,
  lag,
  listGenerations,
  schemaName,
} from './generations.js';
import { ParkedEvents } from './parked-events.js';

export type { Generation } from './generations.js';
export { lag } from './generations.js';

export interface RunnerOptions {
  readonly batchSize?: number;
  /** How often an idle runner looks for new events when no commit notification woke it. */
  readonly idleMs?: number;
  /**
   * Called after a batch of a live generation is committed (so readers see it), outside the
   * transaction, with the batch's events of the types the projection reads, in log order. Not called for generations being built, so a
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
/** Polling when no commit notification arrives (EventStoreDB, or the LISTEN connection is down). */
const DEFAULT_IDLE_MS = 100;
/** After a commit notification: how long, and how often, to look again while nothing is readable yet. */
const NUDGE_WINDOW_MS = 100;
const NUDGE_RETRY_MS = 5;
/** A generation that failed (database unavailable, or a bug outside any event) waits this long, doubling. */
const BACKOFF_MS = { first: 1000, max: 30_000 };

/** A generation this process drives: its advisory lock lives on `client`, which applies its batches. */
interface Held {
  readonly projection: Projection;
  generation: Generation;
  readonly client: PoolClient;
  /** The error a lost connection emitted: the client is closed, never handed out again. */
  lost?: unknown;
  readonly onError: (error: unknown) => void;
}

/**
 * Keeps every projection's live generation up to date and builds new generations beside it. Each
 * generation is driven by whoever holds its advisory lock (one process at a time, any process can take
 * over) and has its own checkpoint, committed with each batch it applies. A generation built from
 * scratch (new version, or an explicit rebuild) replaces the live one atomically once it has caught up:
 * readers use views in schema `read`, and the swap replaces them in one transaction.
 *
 * One reader feeds them all: the generations this process drives are grouped by checkpoint, and each
 * group reads `$all` once per batch and applies it to every member in parallel (each on its own
 * connection, in its own transaction). A group behind another reads only up to the next one's
 * checkpoint, so it lands on it and the two then share one read: catching up after a restore costs one
 * read of the log, not one per projection. A generation that fails leaves its group and pauses; the
 * others go on, and it resumes from its own checkpoint.
 *
 * An event the projection cannot handle (its handler throws, or its personal data cannot be read) is
 * parked in the batch's transaction and the checkpoint moves past it. When the database is unavailable
 * nothing is parked: the generation pauses with back-off and resumes from its checkpoint.
 */
export class ProjectionRunner implements ProjectionAdmin {
  private stopped = false;
  private supervisor: Promise<void> | undefined;
  private pump: Promise<void> | undefined;
  private readonly held = new Map<string, Held>();
  /** Per generation schema: when it may run again after a failure, and the next delay. */
  private readonly backoff = new Map<string, { until: number; delay: number }>();
  private readonly wake = new EventEmitter();
  private readonly wakeups: CommitWakeups;
  /** When the last commit notification arrived. */
  private nudgedAt = 0;
  /** The next batch after a position, read while the current one is applied. */
  private prefetched: { after: GlobalPosition; types: string; events: Promise<SettledEvent[]> } | undefined;
  readonly parking: ParkedEvents;

  constructor(
    private readonly pool: Pool,
    private readonly store: EventStore,
    private readonly projections: readonly Projection[],
    private readonly logger: Logger,
    private readonly options: RunnerOptions = {},
  ) {
    this.wake.setMaxListeners(0);
    this.wakeups = new CommitWakeups(pool, () => {
      this.nudgedAt = Date.now();
      this.wake.emit('work');
    });
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
    this.wake.emit('work');
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
    this.wakeups.start();
    this.supervisor = this.supervise();
    this.pump = this.drive();
  }

  /** Takes every generation that this build's code can drive and nobody else holds, until stopped. */
  private async supervise(): Promise<void> {
    while (!this.stopped) {
      try {
        for (const g of await this.generations()) {
          const code = this.projections.find((p) => p.name === g.name);
          const runnable = code?.version === g.version && (g.status === 'live' || g.status === 'building');
          if (runnable && !this.held.has(g.schema) && !this.waiting(g.schema)) await this.take(code, g);
        }
      } catch (error) {
        this.logger.error({ err: error }, 'projection supervisor failed; retrying');
      }
      await this.sleep(RETRY_LOCK_MS, 'stop');
    }
  }

  private waiting(schema: string): boolean {
    return (this.backoff.get(schema)?.until ?? 0) > Date.now();
  }

  /** Locks `generation` on a connection of its own; leaves it when another process holds it. */
  private async take(projection: Projection, generation: Generation): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // No connection (an outage): it waits like any paused generation, logged as such.
      this.paused(generation, error);
      return;
    }
    // A server that goes away makes a checked-out client emit 'error': unheard, it would end the process.
    const held: Held = {
      projection,
      generation,
      client,
      onError: (error) => {
        held.lost = error;
      },
    };
    client.on('error', held.onError);
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
        [generation.schema],
      );
      if (rows[0]?.ok !== true || this.stopped) {
        if (rows[0]?.ok === true) await this.unlock(held);
        client.off('error', held.onError);
        client.release();
        return;
      }
    } catch (error) {
      client.release(error as Error);
      this.paused(generation, error);
      return;
    }
    this.held.set(generation.schema, held);
    this.logger.info(
      { projection: projection.name, generation: generation.generation, status: generation.status },
      'projection generation running',
    );
    this.wake.emit('work');
  }

  /** Stops driving `held`: unlocks it, returns (or closes) its connection, and pauses it after a failure. */
  private async release(held: Held, error?: unknown): Promise<void> {
    this.held.delete(held.generation.schema);
    if (error !== undefined && isUnavailable(error)) held.lost ??= error;
    if (held.lost === undefined) {
      held.client.off('error', held.onError);
      await this.unlock(held);
    }
    // A connection that failed is closed (its session lock goes with it), never handed out again.
    held.client.release(held.lost === undefined ? undefined : (held.lost as Error));
    if (error !== undefined) this.paused(held.generation, error);
  }

  private async unlock(held: Held): Promise<void> {
    await held.client
      .query('SELECT pg_advisory_unlock(hashtext($1))', [held.generation.schema])
      .catch(() => undefined);
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

  /** The one reader: advances every group of held generations, and idles when none had anything new. */
  private async drive(): Promise<void> {
    while (!this.stopped) {
      let progressed = false;
      try {
        progressed = await this.round();
      } catch (error) {
        this.logger.error({ err: error }, 'projection runner round failed; retrying');
      }
      if (!progressed && !this.stopped) {
        // A commit notification wakes it at once. The commit it announces may still sit above the read
        // horizon (an older transaction is still open), so shortly after one it looks again soon.
        const nudged = Date.now() - this.nudgedAt < NUDGE_WINDOW_MS;
        await this.sleep(nudged ? NUDGE_RETRY_MS : (this.options.idleMs ?? DEFAULT_IDLE_MS), 'work');
      }
    }
    await Promise.all([...this.held.values()].map((held) => this.release(held)));
  }

  /** One batch for each group of held generations that share a checkpoint, the furthest behind first. */
  private async round(): Promise<boolean> {
    if (this.held.size === 0) return false;
    const driven = [...this.held.values()];
    const current = await generationsBySchema(
      this.pool,
      driven.map((held) => held.generation.schema),
    );
    // Only those asked about: the supervisor may have taken another generation meanwhile.
    for (const held of driven) {
      const row = current.find((g) => g.schema === held.generation.schema);
      // Retired by a swap (here or in another process) or gone: nothing left to drive.
      if (!row || (row.status !== 'live' && row.status !== 'building')) await this.release(held);
      else held.generation = row;
    }
    const groups = new Map<GlobalPosition, Held[]>();
    for (const held of this.held.values()) {
      const group = groups.get(held.generation.position) ?? [];
      group.push(held);
      groups.set(held.generation.position, group);
    }
    const ordered = [...groups.entries()].sort(([a], [b]) => comparePositions(a, b));
    let progressed = false;
    for (const [index, [position, group]] of ordered.entries()) {
      if (this.stopped) break;
      const next = ordered[index + 1];
      if (await this.advance(position, group, next?.[0])) progressed = true;
      // Landed on the next group's checkpoint: it reads for both from now on, this round already.
      for (const held of group) {
        if (next && this.held.has(held.generation.schema) && held.generation.position === next[0])
          next[1].push(held);
      }
    }
    return progressed;
  }

  /**
   * Reads the batch after `position` once (only the types the group handles) and applies it to every
   * generation of `group` in parallel. With `until` (the next group's checkpoint) it stops there, so the
   * group joins that one. A read that comes back short has seen everything up to the head read before
   * it, so the checkpoint moves there even when the last events were of types the group skips.
   */
  private async advance(position: GlobalPosition, group: Held[], until?: GlobalPosition): Promise<boolean> {
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    const types = [...new Set(group.flatMap((held) => [...held.projection.eventTypes]))].sort();
    let read: SettledEvent[];
    let head: GlobalPosition | undefined;
    try {
      const prefetched = this.takePrefetched(position, types);
      // Every event up to this head is readable from now on, so a read issued after it cannot miss one
      // (a prefetched read was issued before: it proves nothing about the head).
      if (!prefetched) head = await this.store.headPosition();
      read = await (prefetched ?? this.read(position, batchSize, types));
    } catch (error) {
      await Promise.all(group.map((held) => this.release(held, error)));
      return false;
    }
    // Only a read issued after the head (and the other groups' checkpoints) were read may jump to them.
    const caughtUp = read.length < batchSize && head !== undefined;
    const events =
      until === undefined ? read : read.filter((e) => comparePositions(e.event.position, until) <= 0);
    const beyond = events.length < read.length;
    let to = events.length > 0 ? (events[events.length - 1] as SettledEvent).event.position : position;
    if (until !== undefined && (beyond || caughtUp)) to = until;
    else if (caughtUp && head !== undefined && comparePositions(head, to) > 0) to = head;
    if (read.length === batchSize && !beyond) {
      // The next batch is read while this one is applied: reading and applying overlap.
      const prefetch = this.read(to, batchSize, types);
      prefetch.catch(() => undefined);
      this.prefetched = { after: to, types: types.join(), events: prefetch };
    }
    const moved = to !== position;
    if (moved) {
      const results = await Promise.allSettled(group.map((held) => this.applyBatch(held, events, to)));
      for (const [index, result] of results.entries()) {
        const held = group[index] as Held;
        if (result.status === 'rejected') await this.release(held, result.reason);
        else this.backoff.delete(held.generation.schema);
      }
    }
    if (caughtUp && until === undefined) {
      for (const held of group) {
        if (this.held.has(held.generation.schema) && held.generation.status === 'building')
          await this.swap(held).catch((error) => this.release(held, error));
      }
    }
    return moved;
  }

  /** The batch after `after` when it was prefetched (read while the previous one was applied). */
  private takePrefetched(
    after: GlobalPosition,
    types: readonly string[],
  ): Promise<SettledEvent[]> | undefined {
    const prefetched = this.prefetched;
    if (prefetched?.after !== after || prefetched.types !== types.join()) return undefined;
    this.prefetched = undefined;
    return prefetched.events;
  }

  /** The next batch; through the crypto-shredding store each event is decrypted on its own. */
  private async read(
    after: GlobalPosition,
    maxCount: number,
    types: readonly string[],
  ): Promise<SettledEvent[]> {
    if (this.store instanceof CryptoShreddingEventStore)
      return this.store.readAllSettled({ after, maxCount, types });
    return (await this.store.readAll({ after, maxCount, types })).map((event) => ({ event }));
  }

  /**
   * Applies the batch in one transaction. When it fails for a reason other than the database, the same
   * batch is applied again one event at a time (a savepoint each), parking whichever events fail, and
   * the rest commits with the checkpoint: still one transaction, so still exactly once.
   */
  private async applyBatch(held: Held, events: readonly SettledEvent[], to: GlobalPosition): Promise<void> {
    try {
      await this.commit(held, events, to, 'together');
    } catch (error) {
      if (isUnavailable(error) || held.lost !== undefined) throw error;
      await this.commit(held, events, to, 'one-by-one');
    }
  }

  private async commit(
    held: Held,
    events: readonly SettledEvent[],
    to: GlobalPosition,
    mode: 'together' | 'one-by-one',
  ): Promise<void> {
    const { projection, generation, client } = held;
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
        [generation.name, generation.generation, to, events.length, generation.position],
      );
      if (rowCount !== 1) throw new Error(`checkpoint of ${generation.schema} moved under this runner`);
      await client.query(`SELECT pg_notify('${CHANNEL}', $1)`, [generation.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    held.generation = {
      ...generation,
      position: to,
      eventsApplied: generation.eventsApplied + events.length,
    };
    if (parked.size > 0) this.reportParked(projection, generation, [...parked]);
    const applied = relevant.map((e) => e.event).filter((e) => !parked.has(e));
    if (generation.status === 'live' && applied.length > 0) this.committed(generation.name, applied);
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
    const current = await findGeneration(client, projection.name, generation);
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
  private async swap(held: Held): Promise<void> {
    const { projection, generation, client } = held;
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
    held.generation = { ...generation, status: 'live' };
    // This process may drive the retired generation too: it lets go before its schema is dropped.
    for (const other of [...this.held.values()]) {
      if (retired.includes(other.generation.schema)) await this.release(other);
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
      return (await findGeneration(this.pool, projection.name, generation)) as Generation;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  generations(name?: string): Promise<Generation[]> {
    return listGenerations(this.pool, name);
  }

  /** Waits `ms`, or less when `event` (or 'stop') is emitted. */
  private sleep(ms: number, event: 'work' | 'stop'): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = this.wake;
      function done() {
        clearTimeout(timer);
        wake.off(event, done);
        wake.off('stop', done);
        resolve();
      }
      wake.once(event, done);
      if (event !== 'stop') wake.once('stop', done);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.emit('stop');
    this.wakeups.close();
    await this.supervisor;
    await this.pump;
    await this.prefetched?.events.catch(() => undefined);
  }
}
