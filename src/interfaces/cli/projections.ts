import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { Daybook } from '../../application/daybook.js';
import type { ProjectionStatus } from '../../application/ports/projection-admin.port.js';
import type { Output } from './output.js';

const POLL_MS = 500;

export async function projectionsStatus(daybook: Daybook, out: Output): Promise<number> {
  const rows = await daybook.projectionStatus();
  out.log(['projection', 'gen', 'version', 'status', 'position', 'lag', 'applied'].join('\t'));
  for (const p of rows) {
    out.log([p.name, p.generation, p.version, p.status, p.position, p.lag, p.eventsApplied].join('\t'));
    if (p.error)
      out.log(
        `  error at ${p.failedEvent?.type} ${p.failedEvent?.id} (${p.failedEvent?.position}): ${p.error}`,
      );
  }
  return rows.some((p) => p.status === 'failed') ? 1 : 0;
}

/** Lists parked events, oldest first; exit code 1 when there are any (so a script can alert on it). */
export async function projectionsErrors(daybook: Daybook, out: Output): Promise<number> {
  const parked = await daybook.parkedEvents.list();
  if (parked.length === 0) {
    out.log('no parked events');
    return 0;
  }
  out.log(
    ['consumer', 'gen', 'event', 'position', 'stream@revision', 'type', 'attempts', 'parked at'].join('\t'),
  );
  for (const p of parked) {
    out.log(
      [
        p.consumer,
        p.generation,
        p.eventId,
        p.position,
        `${p.stream}@${p.revision}`,
        p.type,
        p.attempts,
        p.parkedAt,
      ].join('\t'),
    );
    out.log(`  ${p.error}`);
  }
  return 1;
}

export const RETRY_USAGE = 'projections retry (--id <event id> | --all)';

/** Applies parked events again; exit code 1 when any still fails. */
export async function projectionsRetry(
  daybook: Daybook,
  args: readonly string[],
  out: Output,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { id: { type: 'string' }, all: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if ((values.id === undefined) === (values.all !== true)) {
    out.error(`usage: ${RETRY_USAGE}`);
    return 2;
  }
  const report = await daybook.parkedEvents.retry(
    values.id === undefined ? { all: true } : { eventId: values.id },
  );
  for (const p of report.failing)
    out.error(`still failing: ${p.consumer} g${p.generation} ${p.eventId}: ${p.error}`);
  out.log(
    `retried: ${report.resolved} applied, ${report.failing.length} still failing` +
      (report.dropped > 0 ? `, ${report.dropped} dropped (their generation was rebuilt since)` : ''),
  );
  return report.failing.length > 0 ? 1 : 0;
}

/**
 * Starts a rebuild and follows it until the new generation is live, with one progress line: events
 * done, events per second, ETA. The runner of this process (or of a worker, whichever holds the
 * generation's lock) does the work; interrupting this command does not stop the rebuild.
 */
export async function projectionsRebuild(
  daybook: Daybook,
  name: string,
  out: Output,
  interactive: boolean,
): Promise<number> {
  const started = await daybook.rebuildProjection(name);
  out.log(`rebuilding ${name} as generation ${started.generation} (the live one keeps serving)`);
  const bar = new SingleBar({
    format: `${name} [{bar}] {value}/{total} events | {rate} events/s | ETA {eta_formatted}`,
    noTTYOutput: !interactive,
    notTTYSchedule: 5000,
    stream: process.stderr,
  });
  const begin = Date.now();
  bar.start(started.eventsApplied + started.lag, 0, { rate: 0 });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const current = (await daybook.projectionStatus()).find(
      (p) => p.name === name && p.generation === started.generation,
    );
    const done = current?.eventsApplied ?? 0;
    const rate = Math.round(done / Math.max((Date.now() - begin) / 1000, 0.001));
    bar.setTotal(done + (current?.lag ?? 0));
    bar.update(done, { rate });
    if (!current || current.status === 'live' || current.status === 'failed') {
      bar.stop();
      return report(current, name, rate, out);
    }
  }
}

function report(current: ProjectionStatus | undefined, name: string, rate: number, out: Output): number {
  if (current?.status === 'live') {
    out.log(
      `${name} generation ${current.generation} is live: ${current.eventsApplied} events at ${rate} events/s`,
    );
    return 0;
  }
  out.error(
    `${name} rebuild ${current ? `failed at ${current.failedEvent?.id}: ${current.error}` : 'disappeared'}`,
  );
  return 1;
}
