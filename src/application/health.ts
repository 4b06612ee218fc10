import type { HealthCheck } from './ports/health-check.port.js';

export interface HealthReport {
  /** 'degraded' as soon as one check is not ok; see `isServing` for whether the instance can serve. */
  readonly status: 'ok' | 'degraded';
  /** Every required dependency answers: the process can serve requests. */
  readonly ready: boolean;
  readonly checks: Record<
    string,
    { status: 'ok' | 'degraded' | 'down'; required: boolean; error?: string } & Record<string, unknown>
  >;
}

/** Degraded checks (e.g. parked events) still serve; only a check that is down takes the instance out. */
export const isServing = (report: HealthReport): boolean =>
  Object.values(report.checks).every((check) => check.status !== 'down');

// Under a second, so /health answers in time even while a dependency hangs.
const TIMEOUT_MS = 900;

export async function checkHealth(checks: readonly HealthCheck[]): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const required = c.required === true;
      try {
        const details = await Promise.race([
          c.check(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref(),
          ),
        ]);
        // A check reports 'degraded' itself (in its details); anything it returns is otherwise 'ok'.
        const status = details?.status === 'degraded' ? ('degraded' as const) : ('ok' as const);
        return [c.name, { ...details, status, required }] as const;
      } catch (error) {
        return [c.name, { status: 'down' as const, required, error: (error as Error).message }] as const;
      }
    }),
  );
  return {
    status: results.every(([, r]) => r.status === 'ok') ? 'ok' : 'degraded',
    ready: results.every(([, r]) => r.status !== 'down' || !r.required),
    checks: Object.fromEntries(results),
  };
}
