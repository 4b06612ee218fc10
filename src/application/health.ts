import type { HealthCheck } from './ports/health-check.port.js';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly checks: Record<string, { status: 'ok' | 'down'; error?: string } & Record<string, unknown>>;
}

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
        return [c.name, { status: 'ok' as const, ...details }] as const;
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
