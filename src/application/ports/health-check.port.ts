/** Something /health reports on: it throws when its dependency is not usable. */
export interface HealthCheck {
  readonly name: string;
  /** Requests cannot be served while it is down: readiness fails (the load balancer looks elsewhere). */
  readonly required?: boolean;
  check(): Promise<Record<string, unknown> | undefined>;
}
