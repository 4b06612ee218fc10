import path from 'node:path';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { EventStore } from '../application/ports/event-store.port.js';
import type { Notifier } from '../application/ports/notifier.port.js';
import { localJwtSecret } from '../infrastructure/auth/local-jwt-secret.js';
import type { Config } from '../infrastructure/config/config.js';
import { CryptoShreddingEventStore } from '../infrastructure/event-store/crypto-shredding-event-store.js';
import { EventStoreDbEventStore } from '../infrastructure/event-store/eventstoredb-event-store.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { PostgresSubjectKeyStore } from '../infrastructure/event-store/postgres-subject-key-store.js';
import { PgBossJobQueue } from '../infrastructure/jobs/pg-boss-job-queue.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { ensureDatabase, startEmbeddedPostgres } from '../infrastructure/postgres/embedded-postgres.js';
import { migrate } from '../infrastructure/postgres/migrate.js';
import { createPool } from '../infrastructure/postgres/resilient-pool.js';
import { ParkedEvents } from '../infrastructure/projections/parked-events.js';
import { createNotifier } from '../infrastructure/realtime/notifier.js';
import { receiptNotificationAdapters } from '../infrastructure/receipts/receipt-notification-adapters.js';
import { connectRedis } from '../infrastructure/redis/connect-redis.js';
import { dependencyErrors } from '../infrastructure/system/operational-metrics.js';
import { systemClock } from '../infrastructure/system/system-clock.js';

/** Steps that release what was opened; run in reverse order of opening. */
export type Closers = (() => Promise<unknown>)[];

/**
 * What has a lifecycle: opened (connected, migrated, started) before the container is built, closed in
 * reverse order on shutdown. The container modules bind these as they are.
 */
export interface Resources {
  readonly config: Config;
  readonly logger: Logger;
  readonly pool: pg.Pool;
  readonly redis?: Redis;
  /** The store without the crypto-shredding decorator: hash chains cover what is stored. */
  readonly rawStore: EventStore;
  /** Personal fields are encrypted per user before they are stored (GDPR erasure by crypto-shredding). */
  readonly store: CryptoShreddingEventStore;
  readonly subjectKeys: PostgresSubjectKeyStore;
  readonly notifier: Notifier;
  readonly jobs: PgBossJobQueue;
  /** One list of parked events for projections and reactions (retried from the CLI too). */
  readonly parking: ParkedEvents;
  readonly jwtSecret: string;
  /** OCR engines, receipt images, notification records and push: closed after the jobs that use them. */
  readonly receiptsAndNotifications: ReturnType<typeof receiptNotificationAdapters>;
}

export async function openResources(config: Config, logger: Logger, closers: Closers): Promise<Resources> {
  const pool = await openDatabase(config, logger, closers, config.PG_POOL_SIZE);
  const applied = await migrate(pool);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');
  const rawStore: EventStore = config.EVENTSTORE_CONNECTION_STRING
    ? EventStoreDbEventStore.fromConnectionString(config.EVENTSTORE_CONNECTION_STRING)
    : new PostgresEventStore(pool);
  const subjectKeys = new PostgresSubjectKeyStore(pool);
  const store = new CryptoShreddingEventStore(rawStore, subjectKeys);
  closers.push(() => store.close());
  const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, logger) : undefined;
  if (redis) closers.push(() => redis.quit());
  // Redis pub/sub with REDIS_URL, in process otherwise; closed after the jobs and projections, which publish.
  const notifier = createNotifier(redis, logger);
  closers.push(() => notifier.close());
  // Closed after the jobs stop (closers run in reverse): a receipt being read finishes first.
  const receiptsAndNotifications = receiptNotificationAdapters(config, pool, systemClock);
  closers.push(() => receiptsAndNotifications.close());
  const jobs = await PgBossJobQueue.start(pool, {
    onError: (error) => {
      dependencyErrors.inc({ dependency: 'pg-boss' });
      logger.warn({ err: error }, 'pg-boss: background query failed; it retries');
    },
  });
  // Stopped (running jobs finished) before what the jobs use closes: the notifier, Redis, the pool.
  closers.push(() => jobs.stop());
  const jwtSecret = config.JWT_SECRET ?? (await localJwtSecret(config.DAYBOOK_DATA_DIR, logger));
  const parking = new ParkedEvents(pool);
  return {
    config,
    logger,
    pool,
    ...(redis ? { redis } : {}),
    rawStore,
    store,
    subjectKeys,
    notifier,
    jobs,
    parking,
    jwtSecret,
    receiptsAndNotifications,
  };
}

/** The pool on DATABASE_URL, or on an embedded PostgreSQL in the data folder when it is not set. */
export async function openDatabase(
  config: Config,
  logger: Logger,
  closers: Closers,
  poolSize: number,
): Promise<pg.Pool> {
  const databaseUrl = config.DATABASE_URL ?? (await startLocalPostgres(config, logger, closers));
  const pool = createPool(
    { connectionString: databaseUrl, max: poolSize, connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS },
    logger,
  );
  closers.push(() => pool.end());
  return pool;
}

async function startLocalPostgres(config: Config, logger: Logger, closers: Closers): Promise<string> {
  const dataDir = path.resolve(config.DAYBOOK_DATA_DIR, 'postgres');
  logger.info(
    { dataDir, port: config.EMBEDDED_PG_PORT },
    'DATABASE_URL not set: starting embedded PostgreSQL',
  );
  const server = await startEmbeddedPostgres({
    dataDir,
    port: config.EMBEDDED_PG_PORT,
    durable: true,
    onLog: (message) => logger.debug({ postgres: message.trim() }),
  });
  closers.push(() => server.stop());
  await ensureDatabase(server.adminUrl, 'daybook');
  return server.urlFor('daybook');
}
