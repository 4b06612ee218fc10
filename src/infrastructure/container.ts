import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Container } from 'inversify';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { PROJECTIONS } from '../../projections/index.js';
import { createDaybook, type Daybook } from '../application/daybook.js';
import type { AnalyticsReadModel } from '../application/ports/analytics-read-model.port.js';
import type { AuditLog } from '../application/ports/audit-log.port.js';
import type { BudgetReadModel } from '../application/ports/budget-read-model.port.js';
import type { Clock } from '../application/ports/clock.port.js';
import type { CredentialStore } from '../application/ports/credential-store.port.js';
import type { EventStore } from '../application/ports/event-store.port.js';
import type { HealthCheck } from '../application/ports/health-check.port.js';
import type { IdGenerator } from '../application/ports/id-generator.port.js';
import type { IdempotencyStore } from '../application/ports/idempotency-store.port.js';
import type { ImportTaskStore } from '../application/ports/import-task-store.port.js';
import type { JobQueue } from '../application/ports/job-queue.port.js';
import type { LoginThrottle } from '../application/ports/login-throttle.port.js';
import type { Notifier } from '../application/ports/notifier.port.js';
import type { PasswordHasher } from '../application/ports/password-hasher.port.js';
import type { ProjectionAdmin } from '../application/ports/projection-admin.port.js';
import type { RateLimiter } from '../application/ports/rate-limiter.port.js';
import type { SubjectKeyStore } from '../application/ports/subject-key-store.port.js';
import type { TokenService } from '../application/ports/token-service.port.js';
import type { TokenStore } from '../application/ports/token-store.port.js';
import type { TransactionReadModel } from '../application/ports/transaction-read-model.port.js';
import type { UserDirectory } from '../application/ports/user-directory.port.js';
import type { WritePositions } from '../application/ports/write-positions.port.js';
import { EventStoreAuditLog } from './audit/event-store-audit-log.js';
import { PostgresAuditLog } from './audit/postgres-audit-log.js';
import { PostgresLogLoader } from './audit/postgres-log-loader.js';
import { argon2PasswordHasher } from './auth/argon2-password-hasher.js';
import { JwtTokenService } from './auth/jwt-token-service.js';
import { MemoryTokenStore } from './auth/memory-token-store.js';
import { PostgresCredentialStore } from './auth/postgres-credential-store.js';
import { RateLimiterLoginThrottle } from './auth/rate-limiter-login-throttle.js';
import { RedisTokenStore } from './auth/redis-token-store.js';
import { PostgresInstallationSecrets } from './backup/postgres-installation-secrets.js';
import type { Config } from './config/config.js';
import { InProcessWritePositions } from './consistency/in-process-write-positions.js';
import { RedisWritePositions } from './consistency/redis-write-positions.js';
import { CryptoShreddingEventStore } from './event-store/crypto-shredding-event-store.js';
import { EventStoreDbEventStore } from './event-store/eventstoredb-event-store.js';
import { PostgresEventStore } from './event-store/postgres-event-store.js';
import { PostgresSubjectKeyStore } from './event-store/postgres-subject-key-store.js';
import { FlexibleRateLimiter } from './http/flexible-rate-limiter.js';
import { PostgresIdempotencyStore } from './http/postgres-idempotency-store.js';
import { PostgresImportTaskStore } from './imports/postgres-import-task-store.js';
import { PgBossJobQueue } from './jobs/pg-boss-job-queue.js';
import type { Logger } from './logging/logger.js';
import { ensureDatabase, startEmbeddedPostgres } from './postgres/embedded-postgres.js';
import { migrate } from './postgres/migrate.js';
import { createPool } from './postgres/resilient-pool.js';
import { ParkedEvents } from './projections/parked-events.js';
import { ProjectionRunner } from './projections/projection-runner.js';
import { PostgresRecurringDirectory } from './reactions/postgres-recurring-directory.js';
import { PostgresUserDirectory } from './reactions/postgres-user-directory.js';
import { ReactionRunner } from './reactions/reaction-runner.js';
import { PostgresAnalyticsReadModel } from './read-models/postgres-analytics-read-model.js';
import { PostgresBudgetReadModel } from './read-models/postgres-budget-read-model.js';
import { PostgresPersonalDataScrubber } from './read-models/postgres-personal-data-scrubber.js';
import { PostgresTransactionMonths } from './read-models/postgres-transaction-months.js';
import { PostgresTransactionReadModel } from './read-models/postgres-transaction-read-model.js';
import { createNotifier } from './realtime/notifier.js';
import { dependencyErrors } from './system/operational-metrics.js';
import { randomIds, systemClock } from './system/system-clock.js';

export const TOKENS = {
  Config: Symbol.for('Config'),
  Logger: Symbol.for('Logger'),
  Pool: Symbol.for('Pool'),
  EventStore: Symbol.for('EventStore'),
  Clock: Symbol.for('Clock'),
  Ids: Symbol.for('IdGenerator'),
  Credentials: Symbol.for('CredentialStore'),
  Hasher: Symbol.for('PasswordHasher'),
  Tokens: Symbol.for('TokenService'),
  HealthChecks: Symbol.for('HealthChecks'),
  Daybook: Symbol.for('Daybook'),
  Jobs: Symbol.for('JobQueue'),
  Directory: Symbol.for('UserDirectory'),
  ReadModel: Symbol.for('BudgetReadModel'),
  Projections: Symbol.for('ProjectionAdmin'),
  AnalyticsReadModel: Symbol.for('AnalyticsReadModel'),
  TransactionReadModel: Symbol.for('TransactionReadModel'),
  Redis: Symbol.for('Redis'),
  IdempotencyStore: Symbol.for('IdempotencyStore'),
  Notifier: Symbol.for('Notifier'),
  SubjectKeys: Symbol.for('SubjectKeyStore'),
  RawEventStore: Symbol.for('RawEventStore'),
  AuditLog: Symbol.for('AuditLog'),
  ImportTaskStore: Symbol.for('ImportTaskStore'),
  RateLimiter: Symbol.for('RateLimiter'),
  TokenStore: Symbol.for('TokenStore'),
  LoginThrottle: Symbol.for('LoginThrottle'),
  WritePositions: Symbol.for('WritePositions'),
} as const;

export interface Runtime {
  readonly container: Container;
  readonly daybook: Daybook;
  readonly projections: ProjectionRunner;
  readonly rateLimiter: RateLimiter;
  shutdown(): Promise<void>;
}

/**
 * The composition root: picks adapters from configuration, opens the resources they need, and binds
 * them. Nothing below src/infrastructure knows which adapter it got.
 */
export async function buildRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const closers: (() => Promise<unknown>)[] = [];
  const shutdown = async () => {
    for (const close of closers.reverse())
      await close().catch((error) => logger.error({ err: error }, 'shutdown step failed'));
  };
  try {
    const databaseUrl = config.DATABASE_URL ?? (await startLocalPostgres(config, logger, closers));
    const pool = createPool(
      {
        connectionString: databaseUrl,
        max: config.PG_POOL_SIZE,
        connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS,
      },
      logger,
    );
    closers.push(() => pool.end());
    const applied = await migrate(pool);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');

    const rawStore: EventStore = config.EVENTSTORE_CONNECTION_STRING
      ? EventStoreDbEventStore.fromConnectionString(config.EVENTSTORE_CONNECTION_STRING)
      : new PostgresEventStore(pool);
    // Personal fields are encrypted per user before they are stored (GDPR erasure by crypto-shredding).
    const subjectKeys = new PostgresSubjectKeyStore(pool);
    const store = new CryptoShreddingEventStore(rawStore, subjectKeys);
    closers.push(() => store.close());
    const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, logger) : undefined;
    if (redis) closers.push(() => redis.quit());
    // Redis pub/sub with REDIS_URL, in process otherwise; closed after the jobs and projections, which publish.
    const notifier = createNotifier(redis, logger);
    closers.push(() => notifier.close());
    const jobs = await PgBossJobQueue.start(pool, {
      onError: (error) => {
        dependencyErrors.inc({ dependency: 'pg-boss' });
        logger.warn({ err: error }, 'pg-boss: background query failed; it retries');
      },
    });
    // Stopped (running jobs finished) before what the jobs use closes: the notifier, Redis, the pool.
    closers.push(() => jobs.stop());
    // One list of parked events for projections and reactions (retried from the CLI too).
    const parking = new ParkedEvents(pool);
    const projections = new ProjectionRunner(pool, store, PROJECTIONS, logger, {
      // Called only once the runner is started (worker role, below), after `daybook` exists.
      onCommitted: (projection, events) => daybook.projectionCommitted(projection, events),
      parking,
    });
    // Built in every role so that its parked events can be retried; it runs in the worker role only.
    const reactions = new ReactionRunner(pool, rawStore, jobs, logger, parking);
    const jwtSecret = config.JWT_SECRET ?? (await localJwtSecret(config.DAYBOOK_DATA_DIR, logger));

    const container = new Container();
    container.bind(TOKENS.Config).toConstantValue(config);
    container.bind(TOKENS.Logger).toConstantValue(logger);
    container.bind(TOKENS.Pool).toConstantValue(pool);
    container.bind<EventStore>(TOKENS.EventStore).toConstantValue(store);
    container.bind<Clock>(TOKENS.Clock).toConstantValue(systemClock);
    container.bind<IdGenerator>(TOKENS.Ids).toConstantValue(randomIds);
    container.bind<PasswordHasher>(TOKENS.Hasher).toConstantValue(argon2PasswordHasher);
    container
      .bind<CredentialStore>(TOKENS.Credentials)
      .toDynamicValue((ctx) => new PostgresCredentialStore(ctx.get(TOKENS.Pool)))
      .inSingletonScope();
    container
      .bind<TokenService>(TOKENS.Tokens)
      .toDynamicValue(
        () =>
          new JwtTokenService(jwtSecret, config.ACCESS_TOKEN_TTL_SECONDS, config.REFRESH_TOKEN_TTL_SECONDS),
      )
      .inSingletonScope();
    container.bind<JobQueue>(TOKENS.Jobs).toConstantValue(jobs);
    container
      .bind<UserDirectory>(TOKENS.Directory)
      .toDynamicValue((ctx) => new PostgresUserDirectory(ctx.get(TOKENS.Pool)))
      .inSingletonScope();
    container.bind<ProjectionAdmin>(TOKENS.Projections).toConstantValue(projections);
    container
      .bind<BudgetReadModel>(TOKENS.ReadModel)
      .toDynamicValue((ctx) => new PostgresBudgetReadModel(ctx.get(TOKENS.Pool)))
      .inSingletonScope();
    container
      .bind<AnalyticsReadModel>(TOKENS.AnalyticsReadModel)
      .toDynamicValue((ctx) => new PostgresAnalyticsReadModel(ctx.get(TOKENS.Pool)))
      .inSingletonScope();
    container
      .bind<TransactionReadModel>(TOKENS.TransactionReadModel)
      .toDynamicValue((ctx) => new PostgresTransactionReadModel(ctx.get(TOKENS.Pool)))
      .inSingletonScope();
    if (redis) container.bind<Redis>(TOKENS.Redis).toConstantValue(redis);
    container
      .bind<TokenStore>(TOKENS.TokenStore)
      .toConstantValue(redis ? new RedisTokenStore(redis) : new MemoryTokenStore());
    container.bind<LoginThrottle>(TOKENS.LoginThrottle).toConstantValue(
      new RateLimiterLoginThrottle(
        {
          maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
          accountWindowSeconds: config.LOGIN_ACCOUNT_WINDOW_SECONDS,
          maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
          ipWindowSeconds: config.LOGIN_IP_WINDOW_SECONDS,
        },
        redis,
      ),
    );
    container.bind<RateLimiter>(TOKENS.RateLimiter).toConstantValue(
      new FlexibleRateLimiter(
        {
          anonymous: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
          standard: config.RATE_LIMIT_PER_MINUTE,
          premium: config.RATE_LIMIT_PREMIUM_PER_MINUTE,
        },
        redis,
      ),
    );
    container
      .bind<IdempotencyStore>(TOKENS.IdempotencyStore)
      .toDynamicValue((ctx) => new PostgresIdempotencyStore(ctx.get(TOKENS.Pool)))
      .inSingletonScope();
    container
      .bind<ImportTaskStore>(TOKENS.ImportTaskStore)
      .toDynamicValue((ctx) => new PostgresImportTaskStore(ctx.get(TOKENS.Pool)))
      .inSingletonScope();
    container.bind<Notifier>(TOKENS.Notifier).toConstantValue(notifier);
    // In Redis with REDIS_URL, so a write on one instance is awaited by a read on any other.
    container
      .bind<WritePositions>(TOKENS.WritePositions)
      .toConstantValue(redis ? new RedisWritePositions(redis, logger) : new InProcessWritePositions());
    container.bind<EventStore>(TOKENS.RawEventStore).toConstantValue(rawStore);
    container
      .bind<AuditLog>(TOKENS.AuditLog)
      .toConstantValue(
        config.EVENTSTORE_CONNECTION_STRING ? new EventStoreAuditLog(rawStore) : new PostgresAuditLog(pool),
      );
    container.bind<SubjectKeyStore>(TOKENS.SubjectKeys).toConstantValue(subjectKeys);
    container.bind<HealthCheck[]>(TOKENS.HealthChecks).toDynamicValue((ctx) => {
      const events = ctx.get<EventStore>(TOKENS.EventStore);
      const db = ctx.get<pg.Pool>(TOKENS.Pool);
      const admin = ctx.get<ProjectionAdmin>(TOKENS.Projections);
      return [
        ...(redis
          ? [
              {
                name: 'redis',
                required: true,
                check: async () => {
                  await redis.ping();
                  return undefined;
                },
              },
            ]
          : []),
        {
          name: 'projections',
          check: async () => {
            const [status, parked] = await Promise.all([admin.status(), parking.counts()]);
            return {
              // Parked events leave read models incomplete, yet everything serves: degraded, not down.
              ...(Object.keys(parked).length > 0 ? { status: 'degraded' } : {}),
              parked,
              ...Object.fromEntries(
                status.map((p) => [
                  `${p.name}#${p.generation}`,
                  { status: p.status, position: p.position, lag: p.lag },
                ]),
              ),
            };
          },
        },
        {
          name: 'eventStore',
          required: true,
          check: async () => {
            await events.ping();
            return { adapter: events.name };
          },
        },
        {
          name: 'database',
          required: true,
          check: async () => {
            await db.query('SELECT 1');
            return { embedded: config.DATABASE_URL === undefined };
          },
        },
      ];
    });
    container
      .bind<Daybook>(TOKENS.Daybook)
      .toDynamicValue((ctx) =>
        createDaybook({
          store: ctx.get(TOKENS.EventStore),
          clock: ctx.get(TOKENS.Clock),
          ids: ctx.get(TOKENS.Ids),
          credentials: ctx.get(TOKENS.Credentials),
          hasher: ctx.get(TOKENS.Hasher),
          tokens: ctx.get(TOKENS.Tokens),
          tokenStore: ctx.get(TOKENS.TokenStore),
          loginThrottle: ctx.get(TOKENS.LoginThrottle),
          healthChecks: ctx.get(TOKENS.HealthChecks),
          jobs: ctx.get(TOKENS.Jobs),
          directory: ctx.get(TOKENS.Directory),
          readModel: ctx.get(TOKENS.ReadModel),
          projections: ctx.get(TOKENS.Projections),
          parked: parking,
          analytics: ctx.get(TOKENS.AnalyticsReadModel),
          transactions: ctx.get(TOKENS.TransactionReadModel),
          transactionMonths: new PostgresTransactionMonths(ctx.get(TOKENS.Pool)),
          recurringDirectory: new PostgresRecurringDirectory(ctx.get(TOKENS.Pool)),
          idempotency: ctx.get(TOKENS.IdempotencyStore),
          imports: ctx.get(TOKENS.ImportTaskStore),
          notifier: ctx.get(TOKENS.Notifier),
          subjectKeys: ctx.get(TOKENS.SubjectKeys),
          personalDataScrubbers: [new PostgresPersonalDataScrubber(ctx.get(TOKENS.Pool))],
          rawStore: ctx.get(TOKENS.RawEventStore),
          auditLog: ctx.get(TOKENS.AuditLog),
          secrets: new PostgresInstallationSecrets(ctx.get(TOKENS.Pool)),
          ...(config.EVENTSTORE_CONNECTION_STRING
            ? {}
            : { logLoader: new PostgresLogLoader(ctx.get(TOKENS.Pool)) }),
          adminEmails: config.ADMIN_EMAILS,
          logger: ctx.get(TOKENS.Logger),
          writes: ctx.get(TOKENS.WritePositions),
          readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
          readyMaxLag: config.READY_MAX_LAG_EVENTS,
        }),
      )
      .inSingletonScope();
    const daybook = container.get<Daybook>(TOKENS.Daybook);
    // Every role needs the read models' views to exist before it serves a query.
    await projections.ensureGenerations();
    if (config.DAYBOOK_ROLES.includes('worker')) {
      reactions.start();
      closers.push(() => reactions.stop());
      await projections.start();
      closers.push(() => projections.stop());
      await daybook.startWorkers();
      logger.info('worker role: reactions and jobs running');
    }
    return {
      container,
      daybook,
      projections,
      rateLimiter: container.get<RateLimiter>(TOKENS.RateLimiter),
      shutdown,
    };
  } catch (error) {
    await shutdown();
    throw error;
  }
}

/** `daybook migrate`: the migrations alone, before a rollout, without starting queues or projections. */
export async function migrateDatabase(config: Config, logger: Logger): Promise<string[]> {
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const databaseUrl = config.DATABASE_URL ?? (await startLocalPostgres(config, logger, closers));
    const pool = createPool(
      { connectionString: databaseUrl, max: 2, connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS },
      logger,
    );
    closers.push(() => pool.end());
    return await migrate(pool);
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

async function startLocalPostgres(config: Config, logger: Logger, closers: (() => Promise<unknown>)[]) {
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

/** Without JWT_SECRET, a random secret is kept in the data folder so tokens survive a restart. */
async function localJwtSecret(dataDir: string, logger: Logger): Promise<string> {
  const file = path.resolve(dataDir, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(path.dirname(file), { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, secret, { mode: 0o600 });
    await chmod(file, 0o600);
    logger.warn({ file }, 'JWT_SECRET not set: generated a local secret (set JWT_SECRET in production)');
    return secret;
  }
}

/**
 * One Redis connection for the process's shared-state roles; start-up fails clearly when it is unreachable.
 * Later outages never make a request wait: while disconnected a command fails at once (no offline
 * queue, no retry), a hung server is given 500 ms, and ioredis reconnects in the background (back-off up
 * to 2 s). Each use decides what a failure means (README, "When a dependency goes away").
 */
async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  });
  let down = false;
  redis.on('error', (error) => {
    dependencyErrors.inc({ dependency: 'redis' });
    // ioredis reports every failed reconnect: log the outage once.
    if (!down) logger.warn({ err: error }, 'Redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis connection back');
    down = false;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`REDIS_URL: cannot connect (${(error as Error).message})`, { cause: error });
  }
  return redis;
}
