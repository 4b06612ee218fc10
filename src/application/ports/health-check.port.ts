/**
 * Something /health reports on: it throws when its dependency is not usable, and may answer
 * `{ status: 'degraded', ... }` when it serves with a known gap (e.g. parked events).
 */
export interface HealthCheck {
  readonly name: string;
  /** Requests cannot be served while it is down: readiness fails (the load balancer looks elsewhere). */
  readonly required?: boolean;
  check(): Promise<Record<string, unknown> | undefined>;
}
