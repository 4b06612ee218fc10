import type { Pool, PoolClient } from 'pg';

/** The channel PostgresEventStore notifies on every committed append (see its `append`). */
const EVENTS_CHANNEL = 'daybook_events';
const RECONNECT_MS = { first: 250, max: 5000 };

/**
 * Calls `wake` whenever an append commits to the PostgreSQL event log, so followers read at once
 * instead of at their next poll. Best effort: a lost connection only costs latency (they still poll),
 * and it is re-opened with back-off until `close`. With another event store nothing ever notifies.
 */
export class CommitWakeups {
  private client: PoolClient | undefined;
  private closed = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly released = new WeakSet<PoolClient>();

  constructor(
    private readonly pool: Pool,
    private readonly wake: () => void,
  ) {}

  start(): void {
    if (this.closed || this.client) return;
    void this.connect();
  }

  private async connect(): Promise<void> {
    let client: PoolClient | undefined;
    try {
      client = await this.pool.connect();
      client.on('error', () => this.lost(client));
      client.on('notification', () => this.wake());
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.closed) return this.lost(client);
      this.client = client;
      this.failures = 0;
    } catch {
      this.lost(client);
    }
  }

  /** Once per connection (an 'error' may follow a failed LISTEN): closes it and reconnects later. */
  private lost(client: PoolClient | undefined): void {
    if (client) {
      if (this.released.has(client)) return;
      this.released.add(client);
      if (this.client === client) this.client = undefined;
      client.release(true);
    }
    if (this.closed) return;
    const delay = Math.min(RECONNECT_MS.first * 2 ** this.failures, RECONNECT_MS.max);
    this.failures += 1;
    this.timer = setTimeout(() => this.start(), delay);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.lost(this.client);
  }
}
