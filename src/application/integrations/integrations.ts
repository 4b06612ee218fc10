import type { Clock } from '../ports/clock.port.js';

/** What /api/health/external says of one integration. */
export interface IntegrationReport {
  readonly name: string;
  readonly configured: boolean;
  /** Whether its last call succeeded; absent until it was called. */
  readonly reachable?: boolean;
  readonly lastError?: string;
  readonly lastErrorAt?: string;
  readonly lastSuccessAt?: string;
  /** What it does when it is not configured, or which adapter serves. */
  readonly detail?: string;
}

type Entry = { -readonly [K in keyof IntegrationReport]: IntegrationReport[K] };

/**
 * The optional outside services (OCR engine, Vision, OpenAI, Firebase) and how their calls went.
 * Adapters are wrapped at composition (`track`), so every call's outcome is seen without the adapter
 * knowing; a new integration is one `register` call.
 */
export class Integrations {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  register(name: string, options: { configured: boolean; detail?: string }): this {
    this.entries.set(name, {
      name,
      configured: options.configured,
      ...(options.detail ? { detail: options.detail } : {}),
    });
    return this;
  }

  succeeded(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.reachable = true;
    entry.lastSuccessAt = this.clock.now().toISOString();
  }

  failed(name: string, error: unknown): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.reachable = false;
    entry.lastError = String((error as Error)?.message ?? error).slice(0, 300);
    entry.lastErrorAt = this.clock.now().toISOString();
  }

  /** Runs `call`, noting its outcome under `name`; the outcome is returned or thrown unchanged. */
  async track<T>(name: string, call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.succeeded(name);
      return result;
    } catch (error) {
      this.failed(name, error);
      throw error;
    }
  }

  report(): IntegrationReport[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }
}
