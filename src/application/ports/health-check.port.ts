/** Something /health reports on: it throws when its dependency is not usable. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<Record<string, unknown> | undefined>;
}
