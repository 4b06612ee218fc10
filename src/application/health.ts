import type { HealthCheck } from './ports/health-check.port.js';

export interface HealthReport {
  /** 'degraded' as soon as one check is not ok; see `isServing` for whether the instance can serve. */
  readonly status: 'ok' | 'degraded';
  readonly checks: Record<
    string,
    { status: 'ok' | 'degraded' | 'down'; error?: string } & Record<string, unknown>
  >;
}

/** Degraded checks (e.g. parked events) still serve; only a check that is down takes the instance out. */
export const isServing = (report: HealthReport): boolean =>
  Object.values(report.checks).every((check) => check.status !== 'down');

const TIMEOUT_MS = 2000;

export async function checkHealth(checks: readonly HealthCheck[]): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        const details = await Promise.race([
          c.check(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref(),
          ),
        ]);
        // A check reports 'degraded' itself (in its details); anything it returns is otherwise 'ok'.
        const status = details?.status === 'degraded' ? ('degraded' as const) : ('ok' as const);
        return [c.name, { ...details, status }] as const;
      } catch (error) {
        return [c.name, { status: 'down' as const, error: (error as Error).message }] as const;
      }
    }),
  );
  return {
    status: results.every(([, r]) => r.status === 'ok') ? 'ok' : 'degraded',
    checks: Object.fromEntries(results),
  };
}
