import type { CommandHandler } from '../command-handler.js';
import type { WritePositions } from '../ports/write-positions.port.js';

/**
 * Every command a user makes goes through a command handler, so recording there covers every write
 * route (single, bulk, import, amend/void/move, plan, adjust, redistribute, profile, preferences).
 * The position is recorded before the command returns, hence before its response is sent: a read the
 * client sends next, to any instance, already finds it. System actors (`system:…`, reactions and jobs)
 * are not readers, so their writes are not tracked.
 */
export function trackWrites<C, E extends { type: string; data: unknown }, S>(
  handler: CommandHandler<C, E, S>,
  writes: WritePositions,
): CommandHandler<C, E, S> {
  return {
    ...handler,
    handle: async (stream, command, context, options) => {
      const handled = await handler.handle(stream, command, context, options);
      const { actor } = context;
      if (handled.position !== undefined && actor !== undefined && !actor.startsWith('system:'))
        await writes.record(actor, handled.position);
      return handled;
    },
  };
}
