import type { ClientInfo, SecurityLog } from '../security/security-log.js';

/**
 * The rows of a user's export, recorded in their security log once the stream ends (DataExported, with
 * how many rows went out and whether it ran to its end). The rows are already on their way to the
 * client then, so a record that fails is logged, not thrown.
 */
export async function* recordedExport<T>(
  security: SecurityLog,
  userId: string,
  client: ClientInfo | undefined,
  rows: AsyncIterable<T>,
): AsyncIterable<T> {
  let events = 0;
  let complete = false;
  try {
    for await (const row of rows) {
      events += 1;
      yield row;
    }
    complete = true;
  } finally {
    await security.bestEffort('DataExported', () =>
      security.record({
        subject: userId,
        actor: userId,
        ...(client?.correlationId ? { correlationId: client.correlationId } : {}),
        event: {
          type: 'DataExported',
          data: { ...security.context(client), actor: userId, subject: userId, events, complete },
        },
      }),
    );
  }
}
