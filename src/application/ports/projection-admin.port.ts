import type { GlobalPosition } from './event-store.port.js';

export interface ProjectionStatus {
  readonly name: string;
  readonly generation: number;
  readonly version: number;
  readonly status: 'building' | 'live' | 'retired' | 'failed';
  readonly position: GlobalPosition;
  readonly eventsApplied: number;
  /** Events between this generation's checkpoint and the head of the log. */
  readonly lag: number;
  readonly error?: string;
  readonly failedEvent?: { id: string; type: string; position: string; stream: string };
  readonly updatedAt: string;
}

/** Operating the read models: what each generation is doing, and starting a rebuild. */
export interface ProjectionAdmin {
  status(): Promise<ProjectionStatus[]>;
  /** Starts a new generation of `name` from the beginning of the log; the live one serves until it is caught up. */
  rebuild(name: string): Promise<ProjectionStatus>;
}
