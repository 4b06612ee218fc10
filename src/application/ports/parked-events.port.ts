/**
 * Events a projection or a reaction could not handle. Each is set aside (parked) with its error so the
 * rest of the log goes on; an operator lists them and retries them once the cause is fixed.
 */
export interface ParkedEvent {
  /** The projection's name, or `reactions`. */
  readonly consumer: string;
  /** The projection generation that parked it (0 for reactions). */
  readonly generation: number;
  readonly eventId: string;
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly type: string;
  readonly error: string;
  /** How many times it failed: the first time, then once per retry that failed again. */
  readonly attempts: number;
  readonly parkedAt: string;
  readonly lastAttemptAt: string;
}

export interface RetryReport {
  /** Parked events that now succeeded: applied and removed from the list. */
  readonly resolved: number;
  /** Parked events whose generation is gone (rebuilt since): removed, nothing to apply. */
  readonly dropped: number;
  /** Parked events that failed again (their attempts and error are updated). */
  readonly failing: readonly ParkedEvent[];
}

export interface ParkedEventsAdmin {
  list(): Promise<ParkedEvent[]>;
  /** Parked events per consumer (consumers with none are absent). */
  counts(): Promise<Record<string, number>>;
  /** Retries one event (for every consumer that parked it), or all parked events. */
  retry(selection: { readonly eventId: string } | { readonly all: true }): Promise<RetryReport>;
  /** Failures of this process's runners since it started, per consumer and kind (a Prometheus counter). */
  runnerFailures(): readonly RunnerFailures[];
}

export interface RunnerFailures {
  readonly consumer: string;
  /** `unavailable`: the database was (paused, resumed later); `event`: an event failed (parked). */
  readonly kind: 'unavailable' | 'event' | 'other';
  readonly count: number;
}
