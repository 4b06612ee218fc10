import { comparePositions, type GlobalPosition } from '../../application/ports/event-store.port.js';
import type { WritePositions } from '../../application/ports/write-positions.port.js';

/**
 * Users remembered at most. The least recently written are forgotten first: by then the read models
 * are long past their positions, so forgetting one costs nothing but the hint.
 */
const MAX_USERS = 100_000;

/** One instance's memory of its users' last writes: all there is without Redis, a fallback with it. */
export class InProcessWritePositions implements WritePositions {
  private readonly positions = new Map<string, GlobalPosition>();

  constructor(private readonly maxUsers = MAX_USERS) {}

  async record(userId: string, position: GlobalPosition): Promise<void> {
    const known = this.positions.get(userId);
    if (known !== undefined && comparePositions(known, position) >= 0) return;
    // Delete first so the Map's insertion order stays least-recently-written first.
    this.positions.delete(userId);
    this.positions.set(userId, position);
    if (this.positions.size > this.maxUsers) {
      const oldest = this.positions.keys().next().value;
      if (oldest !== undefined) this.positions.delete(oldest);
    }
  }

  async latest(userId: string): Promise<GlobalPosition | undefined> {
    return this.positions.get(userId);
  }
}
