import { randomUUID } from 'node:crypto';
import { CommandHandler as emmettCommandHandler } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { commandHandler } from '../src/application/command-handler.js';
import { budgetMonthCodec } from '../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../src/application/ports/event-store.port.js';
import { budgetMonthDecider } from '../src/domain/budget-month/budget-month.js';
import type { BudgetMonthCommand } from '../src/domain/budget-month/commands.js';
import type { BudgetMonthEvent } from '../src/domain/budget-month/events.js';
import type { BudgetMonthState } from '../src/domain/budget-month/state.js';
import type { Category } from '../src/domain/shared/category.js';
import type { LocalDate, YearMonth } from '../src/domain/shared/local-date.js';
import type { Currency } from '../src/domain/shared/money.js';
import { PostgresEventStore } from '../src/infrastructure/event-store/postgres-event-store.js';
import { migrate } from '../src/infrastructure/postgres/migrate.js';
import { benchDatabase } from './support/database.js';
import { machine, writeResult } from './support/report.js';

/**
 * The command path (load → decide → append) on month streams that grow past 100 events: Daybook's
 * command handler on its PostgreSQL event store, Emmett's command handler on
 * @event-driven-io/emmett-postgresql with the same decider and the same stored JSON, and plain
 * multi-row INSERTs of as many rows (100 per statement) as the floor. BENCH_COMMAND_STREAMS (20) month
 * streams each get a plan and BENCH_COMMANDS_PER_STREAM (150) expenses, from BENCH_COMMAND_WORKERS (8)
 * concurrent workers that each own their streams. Every store gets its own fresh database.
 */
const STREAMS = Number(process.env.BENCH_COMMAND_STREAMS ?? 20);
const PER_STREAM = Number(process.env.BENCH_COMMANDS_PER_STREAM ?? 150);
const WORKERS = Number(process.env.BENCH_COMMAND_WORKERS ?? 8);
const MONTH = '2030-01' as YearMonth;

function commandsFor(stream: number): BudgetMonthCommand[] {
  const now = '2030-01-01T00:00:00.000Z';
  const plan: BudgetMonthCommand = {
    type: 'PlanMonth',
    data: {
      userId: `user-${stream}`,
      month: MONTH,
      currency: 'USD' as Currency,
      income: 10_000_000n,
      categories: [{ category: 'food' as Category, amount: 10_000_000n, kind: 'flexible' }],
      now,
    },
  };
  const expenses = Array.from(
    { length: PER_STREAM },
    (_, i): BudgetMonthCommand => ({
      type: 'RecordExpense',
      data: {
        transactionId: randomUUID(),
        day: `${MONTH}-${String((i % 28) + 1).padStart(2, '0')}` as LocalDate,
        category: 'food' as Category,
        amount: 1n,
        currency: 'USD' as Currency,
        merchant: 'Kiosk',
        source: 'manual',
        now,
      },
    }),
  );
  return [plan, ...expenses];
}

/** Runs every stream's commands, WORKERS streams at a time, and answers commands per second. */
async function drive(run: (stream: number, command: BudgetMonthCommand) => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      for (let stream = worker; stream < STREAMS; stream += WORKERS) {
        for (const command of commandsFor(stream)) await run(stream, command);
      }
    }),
  );
  return (STREAMS * (PER_STREAM + 1)) / ((performance.now() - started) / 1000);
}

async function daybook(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await migrate(pool);
  const store = new PostgresEventStore(pool);
  const handler = commandHandler(
    { store, clock: { now: () => new Date() }, ids: { uuid: randomUUID } },
    budgetMonthDecider,
    budgetMonthCodec,
  );
  const rate = await drive(async (stream, command) => {
    await handler.handle(`budget-bench${stream}-${MONTH}`, command, { correlationId: 'bench' });
  });
  await store.close();
  await pool.end();
  return rate;
}

type Stored = { type: string; data: Record<string, unknown> };
const decode = (event: Stored) =>
  budgetMonthCodec.decode({
    type: event.type,
    data: event.data,
    metadata: { schemaVersion: 1 },
    streamName: 'emmett',
    revision: 0n,
  } as unknown as RecordedEvent);

async function emmett(url: string): Promise<number> {
  const store = getPostgreSQLEventStore(url);
  const handle = emmettCommandHandler<BudgetMonthState, Stored>({
    evolve: (state, event) => budgetMonthDecider.evolve(state, decode(event) as BudgetMonthEvent),
    initialState: budgetMonthDecider.initialState,
  });
  const rate = await drive(async (stream, command) => {
    await handle(store, `budget-bench${stream}-${MONTH}`, (state) =>
      budgetMonthDecider.decide(command, state).map((event) => {
        const { type, data } = budgetMonthCodec.encode(event);
        return { type, data };
      }),
    );
  });
  await store.close();
  return rate;
}

async function inserts(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(`CREATE TABLE events (
    global_position bigserial PRIMARY KEY, stream_name text NOT NULL, stream_revision bigint NOT NULL,
    event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
    UNIQUE (stream_name, stream_revision))`);
  const row = (stream: number, revision: number) => {
    const { type, data } = budgetMonthCodec.encode({
      type: 'ExpenseRecorded',
      data: {
        transactionId: randomUUID(),
        day: `${MONTH}-01` as LocalDate,
        category: 'food' as Category,
        amount: 1n,
        merchant: 'Kiosk',
        source: 'manual',
        recordedAt: new Date().toISOString(),
      },
    });
    return [`budget-bench${stream}-${MONTH}`, revision, type, data, { correlationId: 'bench' }];
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      for (let stream = worker; stream < STREAMS; stream += WORKERS) {
        for (let from = 0; from <= PER_STREAM; from += 100) {
          const rows = Array.from({ length: Math.min(100, PER_STREAM + 1 - from) }, (_, i) =>
            row(stream, from + i),
          );
          await pool.query(
            `INSERT INTO events (stream_name, stream_revision, event_type, data, metadata)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[], $5::jsonb[])`,
            [0, 1, 2, 3, 4].map((k) => rows.map((r) => (k >= 3 ? JSON.stringify(r[k]) : r[k]))),
          );
        }
      }
    }),
  );
  const rate = (STREAMS * (PER_STREAM + 1)) / ((performance.now() - started) / 1000);
  await pool.end();
  return rate;
}

export async function benchCommands(): Promise<void> {
  const results: Record<string, number> = {};
  for (const [name, run] of [
    ['daybook', daybook],
    ['emmett', emmett],
    ['inserts', inserts],
  ] as const) {
    const db = await benchDatabase(`cmd_${name}`);
    try {
      results[name] = Math.round(await run(db.url));
    } finally {
      await db.drop();
    }
  }
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ratios = {
    daybookVsEmmett: ratio(results.daybook as number, results.emmett as number),
    daybookVsInserts: ratio(results.daybook as number, results.inserts as number),
  };
  console.table({ 'commands (rows) per second': results });
  console.table(ratios);
  writeResult('commands', {
    ...machine(),
    streams: STREAMS,
    commandsPerStream: PER_STREAM + 1,
    workers: WORKERS,
    perSecond: results,
    ratios,
    aims: { daybookVsEmmett: '>= 2', daybookVsInserts: '>= 0.5' },
  });
}
