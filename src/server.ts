import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRuntime } from './composition/runtime.js';
import { type Config, loadConfig } from './infrastructure/config/config.js';
import { createLogger, type Logger } from './infrastructure/logging/logger.js';
import { createHttpApp } from './interfaces/http/app.js';
import { attachRealtimeServer } from './interfaces/ws/ws-server.js';

/** How long a stop waits for requests in flight; well under the process's 10 s deadline (main.ts). */
const HTTP_DRAIN_MS = 5_000;

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
  const server = createServer(app);
  // WebSocket push at /ws on the same port (API role): upgrades never reach express.
  const realtime = config.DAYBOOK_ROLES.includes('api')
    ? attachRealtimeServer(server, runtime.daybook, { logger: log })
    : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error) => {
    await realtime?.close();
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
      // WebSocket clients first (1001 "going away"), then HTTP: no new connection, the requests in flight
      // answered; then the runtime: projections, reactions and jobs finish their batch, then pools close.
      await realtime?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A request that still arrives on an open keep-alive connection is answered, and its connection
        // closed after the answer.
        server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
        // A keep-alive connection whose request finishes after close() would hold it for keepAliveTimeout.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        // A request still unanswered after the drain (a stalled upload, a client that stopped reading)
        // would hold the rest of the stop hostage until the process deadline: its connection is cut.
        const cut = setTimeout(() => {
          log.warn(
            { drainMs: HTTP_DRAIN_MS },
            'requests still open after the drain: closing their connections',
          );
          server.closeAllConnections();
        }, HTTP_DRAIN_MS);
        server.once('close', () => {
          clearInterval(idle);
          clearTimeout(cut);
        });
      });
      await runtime.shutdown();
    },
  };
}
