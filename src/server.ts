import type { AddressInfo } from 'node:net';
import { type Config, loadConfig } from './infrastructure/config/config.js';
import { buildRuntime } from './infrastructure/container.js';
import { createLogger, type Logger } from './infrastructure/logging/logger.js';
import { createHttpApp } from './interfaces/http/app.js';

export interface RunningDaybook {
  readonly url: string;
  readonly config: Config;
  stop(): Promise<void>;
}

/** Starts everything one process serves: resources, then HTTP. Used by `npm start` and the e2e tests. */
export async function startDaybook(
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): Promise<RunningDaybook> {
  const config = loadConfig(env);
  const log = logger ?? createLogger(config.LOG_LEVEL);
  const runtime = await buildRuntime(config, log);
  const app = createHttpApp(runtime.daybook, {
    logger: log,
    rateLimiter: runtime.rateLimiter,
    corsOrigins: config.CORS_ORIGINS,
    trustProxy: config.TRUST_PROXY,
  });
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  }).catch(async (error) => {
    await runtime.shutdown();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  log.info(
    { port, eventStore: config.EVENTSTORE_CONNECTION_STRING ? 'eventstoredb' : 'postgresql' },
    'Daybook listening',
  );
  return {
    url: `http://${host}:${port}`,
    config,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await runtime.shutdown();
    },
  };
}
