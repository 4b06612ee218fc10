import { parseArgs } from 'node:util';
import type { Daybook } from '../../application/daybook.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { amount } from '../http/views.js';
import { AUDIT_USAGE, auditVerify, exportCommand, importCommand } from './audit.js';
import { BACKUP_USAGE, backupCommand, restoreCommand } from './backup.js';
import type { Output } from './output.js';
import { projectionsErrors, projectionsRebuild, projectionsRetry, projectionsStatus } from './projections.js';

export const USAGE = `Usage: daybook <command>   (npx daybook … in the repository)

Commands:
  migrate
      Apply the database migrations not yet applied (the server also does at start); prints them.
  what-if --user <id> --month <YYYY-MM> [--split <name@v>] [--redistribution <name@v>]
      Replay a month's facts under other algorithm versions; prints the per-day differences.
      Writes nothing.
  days close
      Close every day whose local midnight has passed (what the scheduled job does).
  jobs dead-letters
      List jobs that failed every retry.
  projections status
      Each read model's generations: status, position, lag, errors.
  projections rebuild <name>
      Rebuild a read model from the start of the log into a new generation; the live one serves until
      the new one has caught up, then they swap atomically. Shows progress.
  projections errors
      Events a projection or the reactions could not handle (parked), with their error; exit code 1
      when there are any.
  projections retry (--id <event id> | --all)
      Apply parked events again; those that succeed leave the list. Exit code 1 when any still fails.
${AUDIT_USAGE}${BACKUP_USAGE}`;

/** The first words of the commands above: anything else is a usage error, found before connecting. */
const COMMANDS = new Set([
  'migrate',
  'what-if',
  'days',
  'jobs',
  'projections',
  'audit',
  'export',
  'import',
  'backup',
  'restore',
]);

/** `help` (exit 0), `usage` (exit 2) or `run`: what to do with `argv` before opening any resource. */
export function triage(argv: readonly string[]): 'help' | 'usage' | 'run' {
  const [command] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return 'help';
  return COMMANDS.has(command) ? 'run' : 'usage';
}

/** Settings only the CLI reads (never the server): the operator's backup key. */
export interface CliSettings {
  readonly backupKey?: string;
}

/** The operator's CLI. Thin, like the HTTP layer: parse arguments, call a use case, print. */
export async function runCli(
  daybook: Daybook,
  argv: readonly string[],
  out: Output,
  settings: CliSettings = {},
): Promise<number> {
  const [command, sub] = argv;
  try {
    if (command === 'what-if') return await whatIf(daybook, argv.slice(1), out);
    if (command === 'days' && sub === 'close') {
      const { users, days } = await daybook.closeDueDays();
      out.log(`closed ${days} day(s) for ${users} user(s)`);
      return 0;
    }
    if (command === 'projections' && sub === 'status') return await projectionsStatus(daybook, out);
    if (command === 'projections' && sub === 'errors') return await projectionsErrors(daybook, out);
    if (command === 'projections' && sub === 'retry')
      return await projectionsRetry(daybook, argv.slice(2), out);
    if (command === 'projections' && sub === 'rebuild' && argv[2]) {
      return await projectionsRebuild(daybook, argv[2], out, Boolean(process.stderr.isTTY));
    }
    if (command === 'audit' && sub === 'verify') return await auditVerify(daybook, argv.slice(2), out);
    if (command === 'export') return await exportCommand(daybook, argv.slice(1), out);
    if (command === 'import') return await importCommand(daybook, argv.slice(1), out);
    if (command === 'backup') return await backupCommand(daybook, argv.slice(1), out, settings.backupKey);
    if (command === 'restore') return await restoreCommand(daybook, argv.slice(1), out, settings.backupKey);
    if (command === 'jobs' && sub === 'dead-letters') {
      const dead = await daybook.deadLetters();
      if (dead.length === 0) out.log('no dead letters');
      for (const job of dead)
        out.log(`${job.createdAt}  ${job.queue}  ${job.id}  ${JSON.stringify(job.payload)}`);
      return 0;
    }
    out.error(USAGE);
    return 2;
  } catch (error) {
    if (error instanceof DomainError) {
      out.error(`${error.code}: ${error.message}`);
      return 1;
    }
    // An unknown or malformed option: a usage error, not a failure of the command.
    if (String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
      out.error(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

async function whatIf(daybook: Daybook, args: readonly string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      user: { type: 'string' },
      month: { type: 'string' },
      split: { type: 'string' },
      redistribution: { type: 'string' },
    },
  });
  if (!values.user || !values.month) {
    out.error(USAGE);
    return 2;
  }
  const result = await daybook.whatIf({
    userId: values.user,
    month: values.month,
    algorithm: {
      ...(values.split ? { split: values.split } : {}),
      ...(values.redistribution ? { redistribution: values.redistribution } : {}),
    },
  });
  const money = (v: bigint) => amount(v, result.currency);
  out.log(
    `${result.month} (${result.currency}): recorded split ${result.algorithms.actual.split}, redistribution ` +
      `${result.algorithms.actual.redistribution.join(', ') || 'none'}; replayed with ${result.algorithms.replayed.split} / ${result.algorithms.replayed.redistribution}`,
  );
  if (result.differences.length === 0) out.log('no difference');
  for (const d of result.differences) {
    out.log(
      `${d.day}  ${d.category.padEnd(20)} ${money(d.actual).padStart(12)} -> ${money(d.replayed).padStart(12)}  (${money(d.delta)})`,
    );
  }
  for (const s of result.skipped) out.log(`skipped fact #${s.index} ${s.type}: ${s.code}`);
  out.log(`overdrawn: ${money(result.totals.actualOverdrawn)} -> ${money(result.totals.replayedOverdrawn)}`);
  return 0;
}
