import type { HealthCheck } from './ports/health-check.port.js';
import type { ProjectionAdmin, ProjectionStatus } from './ports/projection-admin.port.js';

type CheckStatus = 'ok' | 'degraded' | 'down';

/** Everything the checks answered, errors and details included: for operators only. */
export interface HealthReport {
  /** 'degraded' as soon as one check is not ok; see `isServing` for whether the instance can serve. */
  readonly status: 'ok' | 'degraded';
  /** Every required dependency answers: the process can serve requests. */
  readonly ready: boolean;
  readonly checks: Record<
    string,
    { status: CheckStatus; required: boolean; error?: string } & Record<string, unknown>
  >;
}

/** What anyone may see: each check's state, no error text, no positions or event ids. */
export interface PublicHealth {
  readonly status: 'ok' | 'degraded';
  readonly ready: boolean;
  readonly checks: Record<string, { status: CheckStatus; required: boolean }>;
}

export interface Readiness extends PublicHealth {
  /** Read models further behind the log than the allowed lag, with how many events they lag. */
  readonly lagging: Record<string, number>;
}

/** The default of READY_MAX_LAG_EVENTS: a read model this far behind does not count as ready. */
export const READY_MAX_LAG_EVENTS = 1000;

/** Degraded checks (e.g. parked events) still serve; only a check that is down takes the instance out. */
export const isServing = (report: HealthReport): boolean =>
  Object.values(report.checks).every((check) => check.status !== 'down');

// Under a second, so /health answers in time even while a dependency hangs.
const TIMEOUT_MS = 900;

const withTimeout = <T>(work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS).unref()),
  ]);

export async function checkHealth(checks: readonly HealthCheck[]): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const required = c.required === true;
      try {
        const details = await withTimeout(c.check());
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

export const publicHealth = (report: HealthReport): PublicHealth => ({
  status: report.status,
  ready: report.ready,
  checks: Object.fromEntries(
    Object.entries(report.checks).map(([name, c]) => [name, { status: c.status, required: c.required }]),
  ),
});

/**
 * How far each read model lags: its live generation's lag (a generation rebuilt beside it does not
 * count), or while it has none yet, the lag of the one being built.
 */
export function readModelLag(statuses: readonly ProjectionStatus[]): Record<string, number> {
  const lags: Record<string, number> = {};
  for (const s of statuses) {
    if (s.status === 'live') lags[s.name] = s.lag;
    else if (s.status === 'building' && !statuses.some((o) => o.name === s.name && o.status === 'live'))
      lags[s.name] = Math.max(lags[s.name] ?? 0, s.lag);
  }
  return lags;
}

/**
 * Ready to take traffic: every required dependency answers and no read model is more than `maxLag`
 * events behind the log (a node started on a log its read models have not applied yet is not ready).
 */
export async function checkReadiness(
  checks: readonly HealthCheck[],
  projections: ProjectionAdmin,
  maxLag: number,
): Promise<Readiness> {
  const [report, lags] = await Promise.all([
    checkHealth(checks),
    withTimeout(projections.status()).then(readModelLag, () => undefined),
  ]);
  const lagging = Object.fromEntries(Object.entries(lags ?? {}).filter(([, lag]) => lag > maxLag));
  const health = publicHealth(report);
  // Without the projections' status nothing says the read models are current.
  const ready = health.ready && lags !== undefined && Object.keys(lagging).length === 0;
  return { ...health, ready, lagging };
}
