import { latestPosition } from '../budget/record-expenses.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import type { WritePositions } from '../ports/write-positions.port.js';

/**
 * `read-your-writes` (the default): a read waits, bounded, until the read models it uses reflect the
 * reader's last write. `eventual`: it answers from what they have now (it still waits for an explicit
 * `minPosition`, which the client asked for by name).
 */
export type Consistency = 'read-your-writes' | 'eventual';

export interface ReadConsistency {
  /** A position the answer must reflect: a write's or a notification's `position`. */
  readonly minPosition?: GlobalPosition;
  readonly consistency?: Consistency;
}

/** What a read model tells about its progress: the `waitFor` of every read-model port. */
export interface CatchingUp {
  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean>;
}

export interface ReadYourWritesDeps {
  readonly writes: WritePositions;
  /** The bound on a read's wait; past it the read answers with what it has, `caughtUp: false`. */
  readonly timeoutMs: number;
}

const reached = async (models: readonly CatchingUp[], position: GlobalPosition, timeoutMs: number) =>
  (await Promise.all(models.map((m) => m.waitFor(position, timeoutMs)))).every(Boolean);

/** Read-your-writes for queries over read models, and for commands that look an expense up in one. */
export function readYourWrites(deps: ReadYourWritesDeps) {
  /**
   * Waits until `models` reflect what the read must see, and says whether they do. An eventual read
   * does not wait for the reader's last write but still reports (one look, no wait) whether it is
   * reflected, so `caughtUp: false` always means "this answer may miss something you wrote".
   */
  const settle = async (
    models: readonly CatchingUp[],
    userId: string,
    read: ReadConsistency,
  ): Promise<boolean> => {
    const wanted = latestPosition([read.minPosition, await deps.writes.latest(userId)]);
    if (wanted === undefined) return true;
    if (read.consistency !== 'eventual') return reached(models, wanted, deps.timeoutMs);
    if (read.minPosition !== undefined && !(await reached(models, read.minPosition, deps.timeoutMs)))
      return false;
    return wanted === read.minPosition || reached(models, wanted, 0);
  };

  return {
    /** A query on `models`: it reads once they reflect what it must see; its answer says whether they did. */
    query:
      <I extends { userId: string }, R extends object>(
        models: readonly CatchingUp[],
        run: (input: I) => Promise<R>,
      ) =>
      async (input: I & ReadConsistency): Promise<R & { caughtUp: boolean }> => {
        const caughtUp = await settle(models, input.userId, input);
        return { ...(await run(input)), caughtUp };
      },
    /** For a command that looks something up in `models` first: waits as a query would, before it runs. */
    settle,
  };
}
