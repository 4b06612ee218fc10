import type { HealthCheck } from './ports/health-check.port.js';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  /** Every required dependency answers: the process can serve requests. */
  readonly ready: boolean;
  readonly checks: Record<
    string,
    { status: 'ok' | 'down'; required: boolean; error?: string } & Record<string, unknown>
  >;
}

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
        return [c.name, { status: 'ok' as const, required, ...details }] as const;
      } catch (error) {
        return [c.name, { status: 'down' as const, required, error: (error as Error).message }] as const;
      }
    }),
  );
  return {
    status: results.every(([, r]) => r.status === 'ok') ? 'ok' : 'degraded',
    ready: results.every(([, r]) => r.status === 'ok' || !r.required),
    checks: Object.fromEntries(results),
  };
}
