import { EventStoreDBClient } from '@eventstore/db-client';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
const seconds = z.coerce.number().int().positive();

/**
 * Parsed by the client that will use it (it opens no connection until the first call), so what start-up
 * accepts is exactly what the adapter can connect with: `esdb://` or `esdb+discover://`, not `kurrentdb://`.
 */
function acceptedByEventStoreClient(value: string, ctx: z.RefinementCtx): void {
  try {
    EventStoreDBClient.connectionString(value);
  } catch (error) {
    const reason = String((error as Error).message).split('\n')[0];
    ctx.addIssue({
      code: 'custom',
      message: `not a connection string the EventStoreDB client accepts: ${reason}`,
    });
  }
}

const schema = z.object({
  PORT: port.default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DAYBOOK_DATA_DIR: z.string().min(1).default('.daybook'),
  EMBEDDED_PG_PORT: port.default(5488),
  EVENTSTORE_CONNECTION_STRING: z.string().superRefine(acceptedByEventStoreClient).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: seconds.default(900),
  REFRESH_TOKEN_TTL_SECONDS: seconds.default(30 * 24 * 3600),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  LOGIN_ACCOUNT_WINDOW_SECONDS: seconds.default(15 * 60),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(50),
  LOGIN_IP_WINDOW_SECONDS: seconds.default(3600),
  PG_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  // Under the 1 s a request may take while PostgreSQL is unreachable (then it answers 503).
  PG_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(800),
  DAYBOOK_ROLES: z
    .string()
    .default('api,worker')
    .transform((v) => v.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(['api', 'worker'])).min(1, 'name at least one role: api, worker')),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().positive().default(60),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_PREMIUM_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url('must be a comma-separated list of origins such as https://app.example.com'))),
  ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.email('must be a comma-separated list of emails'))),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** How long a read waits for the read models to reflect the caller's last write (default 2000). */
  READ_YOUR_WRITES_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /** /health/ready answers 503 while a read model lags the log by more events than this (default 1000). */
  READY_MAX_LAG_EVENTS: z.coerce.number().int().min(0).optional(),
  // Receipts (issue 15): Google Vision when GOOGLE_VISION_API_KEY is set, local tesseract.js otherwise.
  GOOGLE_VISION_API_KEY: z.string().min(1).optional(),
  GOOGLE_VISION_ENDPOINT: z.url('must be a URL such as http://127.0.0.1:9000').optional(),
  OCR_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(60_000),
  OCR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  OCR_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** A receipt read at least this confidently (0..1) becomes an expense without the user confirming. */
  OCR_AUTO_CONFIRM_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
  // Push (issue 15): Firebase Cloud Messaging with FIREBASE_PROJECT_ID and a service account (or a stand-in).
  FIREBASE_PROJECT_ID: z.string().min(1).optional(),
  FIREBASE_SERVICE_ACCOUNT: z.string().min(1).optional(),
  FIREBASE_ENDPOINT: z.url('must be a URL such as http://127.0.0.1:9001').optional(),
  // Categorization and insights (issue 15): a language model when a key or a compatible server is set.
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url('must be an http(s) URL such as http://localhost:11434/v1').optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(4000),
  OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  OPENAI_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  OPENAI_DAILY_CALLS_PER_USER: z.coerce.number().int().min(0).max(1_000_000).default(100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads configuration from the environment; a bad value stops start-up with the setting's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blankAsUnset);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.JWT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
  }
  return parsed.data;
}
