import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { chainEvents } from '../../src/application/event-store/hash-chain.js';
import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import { userCodec } from '../../src/application/events/user.codec.js';
import type {
  EventMetadata,
  JsonObject,
  NewEvent,
  StoredMetadata,
} from '../../src/application/ports/event-store.port.js';
import { budgetMonthDecider } from '../../src/domain/budget-month/budget-month.js';
import type { BudgetMonthCommand } from '../../src/domain/budget-month/commands.js';
import type {
  BudgetMonthEvent,
  ExpenseSource,
  PlannedCategory,
  RolloverPolicy,
} from '../../src/domain/budget-month/events.js';
import type { BudgetMonthState } from '../../src/domain/budget-month/state.js';
import { budgetMonthStream } from '../../src/domain/budget-month/stream-name.js';
import type { Category } from '../../src/domain/shared/category.js';
import { DomainError } from '../../src/domain/shared/domain-error.js';
import {
  dateInMonth,
  daysInMonth,
  type LocalDate,
  type YearMonth,
} from '../../src/domain/shared/local-date.js';
import type { Currency } from '../../src/domain/shared/money.js';
import { userStream } from '../../src/domain/user/stream-name.js';
import type { UserEvent } from '../../src/domain/user/user.js';
import {
  copyEventColumns,
  copyEventLine,
  copyText,
  PrevHashes,
} from '../../src/infrastructure/event-store/event-row.js';

/**
 * A realistic, deterministic (seeded) event log for load tests and benchmarks: `users` users, each
 * registered (`user-<id>`) and budgeting `monthsPerUser` consecutive months (`budget-<id>-<YYYY-MM>`).
 *
 * Every budget event comes from a command decided by `budgetMonthDecider` (commands it rejects with a
 * DomainError are skipped, as the API would answer them with an error), is encoded with the codec and
 * hash-chained per stream with `chainEvents`, exactly like the PostgreSQL store writes it. Per month: a
 * plan (fixed rent and utilities, six flexible categories, even or weekend-weighted split),
 * `expensesPerMonth` expenses on random days with lumpy amounts (so many overspend their day), the
 * Rebalance the reaction issues after each overspend (mostly at once, sometimes at the end of the day),
 * amendments and voids of earlier expenses, manual AdjustAllocation moves (some refused), and for most
 * users a CloseDay every midnight under their rollover policy. Users are simulated in small groups, day
 * by day, so their streams interleave in `$all` as they would in production.
 *
 * Speed: deciding is costly (the aggregate copies its maps for every cell it changes: a proportional
 * rebalance or a forward day close touching 30 cells copies the allocation map 30 times), so users come
 * in scripts of `usersPerScript` (default 8): the script's first user is decided, the others follow the
 * same commands with ids of their own (user, transaction, event and correlation ids) and get the same
 * decisions with those ids, which is what the decider, a pure function treating ids as opaque, decides
 * for them. Each user's stream is still encoded, chained and stored on its own. `usersPerScript: 1`
 * decides every user (about 2.5x slower). Measured on 2 cores: about 20k events/s in memory; hashing
 * (`chainEvents`, ~30 us per event of ~800 bytes) is then the largest cost, and loading adds PostgreSQL's
 * own work (~25 us per event), so about 10-15k events/s end to end.
 *
 * Loading: rows go to PostgreSQL with `COPY ... FROM STDIN` (a minimal copy-in submittable for `pg`,
 * since `pg-copy-streams` is not a dependency), a few thousand rows per COPY, the next chunk generated
 * while the previous one is written, in transactions of `rowsPerTransaction` rows. Memory stays flat
 * however many events are generated.
 */
export interface EventLogOptions {
  readonly users: number;
  readonly monthsPerUser: number;
  readonly expensesPerMonth: number;
  readonly seed: number;
  /** The first budgeted month (default 2024-01). */
  readonly firstMonth?: YearMonth;
  /** Stop (at a command boundary) once at least this many events were produced. */
  readonly maxEvents?: number;
  /** Users that follow one decided script, with ids of their own (default 8; 1 decides every user). */
  readonly usersPerScript?: number;
  /** Users simulated side by side, their streams interleaved (default 32). */
  readonly usersPerGroup?: number;
  /** Rows per COPY (default 5,000). */
  readonly rowsPerStatement?: number;
  /**
   * Rows per transaction (default 20,000). Short transactions matter on a shared server: while one is
   * open, the log's read horizon (cluster-wide) stops for every database, tests of other files included.
   */
  readonly rowsPerTransaction?: number;
  /** Called after each group of users with the number of events so far. */
  readonly onProgress?: (events: number) => void;
}

/** Generates the log into `event_log` and `streams` of the database behind `pool`; returns the event count. */
export async function generateEventLog(pool: Pool, options: EventLogOptions): Promise<number> {
  const client = await pool.connect();
  const loader = new CopyLoader(
    client,
    options.rowsPerStatement ?? 5000,
    options.rowsPerTransaction ?? 20_000,
  );
  try {
    await client.query('BEGIN');
    await loader.start();
    const total = await simulateEventLog(options, loader);
    await loader.finish();
    await client.query('COMMIT');
    return total;
  } catch (error) {
    await loader.settle();
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** One event as stored: data as JSON text, metadata with its hash chain. */
export interface GeneratedEvent {
  readonly stream: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: StoredMetadata;
}

/** Where the simulation puts its output: the database loader, or memory. */
export interface EventSink {
  event(event: GeneratedEvent): void;
  /** A stream's head once the simulation is done with it (a `streams` row). */
  stream(stream: string, revision: bigint, lastHash: string): void;
  /** Called between simulated days: lets queued I/O progress, resolves once the sink can take more. */
  drain(): Promise<void>;
}

/** Runs `text` (a `COPY ... FROM STDIN`) with `payload` (COPY text format) as its data. */
export async function copyIn(
  client: PoolClient,
  text: string,
  payload: Buffer | readonly Buffer[],
): Promise<void> {
  const chunks = Buffer.isBuffer(payload) ? [payload] : (payload as readonly Buffer[]);
  await pipeline(Readable.from(chunks), client.query(copyFrom(text)));
}

const COPY_EVENTS = `COPY event_log (stream_id, ${copyEventColumns('log')}) FROM STDIN`;
const COPY_STREAMS = 'COPY streams (stream_id, stream_name, revision, last_hash) FROM STDIN';
const COPY_NAMES = 'COPY log_names (name_id, name) FROM STDIN';

/** Buffers rows as COPY text and writes them a chunk at a time, at most one chunk in flight. */
class CopyLoader implements EventSink {
  private events: string[] = [];
  private streams: string[] = [];
  private inflight: Promise<void> = Promise.resolve();
  private failure: unknown;
  private inTransaction = 0;
  /** Stream ids are given here (the events of a stream are written before its `streams` row). */
  private readonly streamIds = new Map<string, number>();
  private nextStreamId = 0;
  /** Name ids (types, system actors) are given here too; new ones go to `log_names` before their rows. */
  private readonly nameIds = new Map<string, number>();
  private newNames: string[] = [];
  private nextNameId = 0;
  private readonly prevHashes = new PrevHashes();

  constructor(
    private readonly client: PoolClient,
    private readonly rowsPerStatement: number,
    private readonly rowsPerTransaction: number,
  ) {}

  async start(): Promise<void> {
    const { rows } = await this.client.query<{ last: number }>(
      'SELECT COALESCE(max(stream_id), 0) AS last FROM streams',
    );
    this.nextStreamId = (rows[0]?.last ?? 0) + 1;
    const names = await this.client.query<{ id: number; name: string }>(
      'SELECT name_id AS id, name FROM log_names',
    );
    for (const { id, name } of names.rows) this.nameIds.set(name, id);
    this.nextNameId = Math.max(0, ...this.nameIds.values()) + 1;
  }

  private readonly nameId = (name: string): number => {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.nextNameId++;
      this.nameIds.set(name, id);
      this.newNames.push(`${id}\t${copyText(name)}\n`);
    }
    return id;
  };

  private streamId(stream: string): number {
    let id = this.streamIds.get(stream);
    if (id === undefined) {
      id = this.nextStreamId++;
      this.streamIds.set(stream, id);
    }
    return id;
  }

  event(e: GeneratedEvent): void {
    const stream = this.streamId(e.stream);
    const options = { name: this.nameId, prevHashes: this.prevHashes };
    this.events.push(copyEventLine(stream, e.revision, e.id, e.type, e.data, e.metadata, options));
  }

  stream(stream: string, revision: bigint, lastHash: string): void {
    const id = this.streamId(stream);
    this.streams.push(`${id}\t${copyText(stream)}\t${revision}\t${lastHash}\n`);
    this.streamIds.delete(stream);
    this.prevHashes.forget(id);
  }

  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    // A macrotask turn, so the socket can take the chunk in flight and read the server's answers.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.events.length < this.rowsPerStatement) return;
    await this.inflight;
    this.send();
    if (this.inTransaction >= this.rowsPerTransaction) {
      await this.settle();
      await this.client.query('COMMIT');
      await this.client.query('BEGIN');
      this.inTransaction = 0;
    }
  }

  /** Queues the buffered rows; the simulation goes on while PostgreSQL writes them. */
  private send(): void {
    if (this.failure) throw this.failure;
    const events = this.events;
    const streams = this.streams;
    const names = this.newNames;
    this.events = [];
    this.streams = [];
    this.newNames = [];
    this.inTransaction += events.length;
    this.inflight = (async () => {
      if (names.length > 0) await copyIn(this.client, COPY_NAMES, Buffer.from(names.join('')));
      if (events.length > 0) await copyIn(this.client, COPY_EVENTS, Buffer.from(events.join('')));
      if (streams.length > 0) await copyIn(this.client, COPY_STREAMS, Buffer.from(streams.join('')));
    })().catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  /** Waits for the chunk in flight; throws what it failed with. */
  async settle(): Promise<void> {
    await this.inflight;
    if (this.failure) throw this.failure;
  }

  async finish(): Promise<void> {
    await this.settle();
    this.send();
    await this.settle();
    await this.client.query("SELECT setval(pg_get_serial_sequence('streams', 'stream_id'), $1::int, false)", [
      this.nextStreamId,
    ]);
    await this.client.query("SELECT setval(pg_get_serial_sequence('log_names', 'name_id'), $1::int, false)", [
      this.nextNameId,
    ]);
  }
}

/** sfc32: small, fast and seedable; the whole log is a function of the seed. */
export class Rng {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;

  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A standard normal deviate (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A UUID shaped like version 4. */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    return (
      hex8(a) +
      '-' +
      hex8(b).slice(0, 4) +
      '-4' +
      hex8(b).slice(5) +
      '-' +
      HEX[((c >>> 28) & 0x3) | 0x8] +
      hex8(c).slice(1, 4) +
      '-' +
      hex8(c).slice(4) +
      hex8(d)
    );
  }
}

const HEX = '0123456789abcdef';
const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number): string =>
  (BYTE_HEX[n >>> 24] as string) +
  (BYTE_HEX[(n >>> 16) & 0xff] as string) +
  (BYTE_HEX[(n >>> 8) & 0xff] as string) +
  (BYTE_HEX[n & 0xff] as string);

const CURRENCIES: readonly { code: string; income: readonly [number, number] }[] = [
  { code: 'USD', income: [250_000, 900_000] },
  { code: 'EUR', income: [220_000, 700_000] },
  { code: 'GBP', income: [200_000, 650_000] },
  { code: 'JPY', income: [220_000, 700_000] },
  { code: 'KWD', income: [400_000, 1_500_000] },
];

/** Share of income per flexible category, and where the money goes. */
const FLEXIBLE: readonly { category: Category; share: number; merchants: readonly string[] }[] = (
  [
    {
      category: 'groceries',
      share: 0.12,
      merchants: ['Aldi', 'Lidl', 'Tesco', 'Whole Foods', 'Corner Shop'],
    },
    { category: 'dining', share: 0.06, merchants: ['Pizza Place', 'Sushi Bar', 'Cafe Nero', 'Burger Joint'] },
    { category: 'transport', share: 0.05, merchants: ['Metro', 'Uber', 'Shell', 'Bike Share'] },
    { category: 'entertainment', share: 0.04, merchants: ['Cinema', 'Spotify', 'Steam', 'Concert Hall'] },
    { category: 'shopping', share: 0.06, merchants: ['Amazon', 'Ikea', 'Zara', 'Bookshop'] },
    { category: 'health', share: 0.03, merchants: ['Pharmacy', 'Gym', 'Dentist'] },
  ] as const
).map((f) => ({ ...f, category: f.category as Category }));
const FLEXIBLE_SHARE = FLEXIBLE.reduce((t, f) => t + f.share, 0);
const SOURCES: readonly ExpenseSource[] = ['manual', 'manual', 'manual', 'bank', 'bank', 'import', 'receipt'];
const POLICIES: readonly RolloverPolicy[] = ['none', 'none', 'savings', 'savings', 'forward'];
const TIMEZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Europe/London', 'Asia/Kuwait'];

/** What a script's users share; each of them has an id of its own. */
interface Script {
  readonly currency: Currency;
  readonly income: bigint;
  readonly policy: RolloverPolicy;
  readonly closesDays: boolean;
  readonly split: string;
  readonly redistribution: string;
  readonly rentDay: number;
  readonly utilitiesDay: number;
  readonly userIds: readonly string[];
}

function script(rng: Rng, users: number): Script {
  const currency = rng.pick(CURRENCIES);
  return {
    currency: currency.code as Currency,
    income: BigInt(rng.int(currency.income[0], currency.income[1])),
    policy: rng.pick(POLICIES),
    closesDays: rng.chance(0.7),
    split: rng.chance(0.75) ? 'even@1' : 'weekend-weighted@2',
    redistribution: rng.chance(0.7) ? 'proportional@1' : 'nearest-first@1',
    rentDay: rng.int(1, 5),
    utilitiesDay: rng.int(10, 28),
    userIds: Array.from({ length: users }, () => rng.uuid()),
  };
}

const addMonths = (month: YearMonth, n: number): YearMonth => {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}` as YearMonth;
};

/** An ISO instant on `day`, `minutes` after midnight (UTC, capped at 23:59). */
const at = (day: LocalDate, minutes: number): string => {
  const m = Math.min(Math.max(0, Math.floor(minutes)), 1439);
  return `${day}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00.000Z`;
};

class Counter {
  total = 0;
  constructor(readonly limit: number) {}
  get done(): boolean {
    return this.total >= this.limit;
  }
}

/** One stream being written: its head, and how the script's ids map to this user's own. */
class StreamWriter {
  revision = -1n;
  lastHash = '';
  private readonly renamed = new Map<string, string>();

  constructor(
    private readonly rng: Rng,
    readonly stream: string,
    readonly userId: string,
    /** The scripted user's id, or undefined when this writer is the scripted user. */
    private readonly scriptedUserId?: string,
  ) {}

  /** The script's transaction or event id as this user's own. */
  own(id: string): string {
    if (this.scriptedUserId === undefined) return id;
    let mine = this.renamed.get(id);
    if (mine === undefined) {
      mine = this.rng.uuid();
      this.renamed.set(id, mine);
    }
    return mine;
  }

  /** The scripted payload with this user's ids. */
  data(data: JsonObject): JsonObject {
    if (this.scriptedUserId === undefined) return data;
    let copy: JsonObject | undefined;
    for (const key of ['transactionId', 'causedBy'] as const) {
      const value = data[key];
      if (typeof value === 'string') {
        copy ??= { ...data };
        copy[key] = this.own(value);
      }
    }
    if (data['userId'] === this.scriptedUserId) {
      copy ??= { ...data };
      copy['userId'] = this.userId;
    }
    return copy ?? data;
  }

  write(sink: EventSink, events: readonly NewEvent[], scriptedIds?: readonly string[]): string[] {
    const chained = chainEvents(this.stream, this.revision + 1n, this.lastHash, events);
    const ids: string[] = [];
    chained.forEach(({ event, revision }, i) => {
      sink.event({
        stream: this.stream,
        revision,
        id: event.id,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: event.metadata,
      });
      if (scriptedIds && this.scriptedUserId !== undefined)
        this.renamed.set(scriptedIds[i] as string, event.id);
      ids.push(event.id);
      this.revision = revision;
      this.lastHash = event.metadata.hash;
    });
    return ids;
  }

  finish(sink: EventSink): void {
    if (this.revision >= 0n) sink.stream(this.stream, this.revision, this.lastHash);
  }
}

interface Pending {
  readonly day: LocalDate;
  readonly category: Category;
  /** The OverspendDetected event's id in the scripted stream. */
  readonly overspendId: string;
}

/** One script's month: the decider's state, a writer per user, and what the user can refer back to. */
class MonthScript {
  private state: BudgetMonthState = budgetMonthDecider.initialState();
  private readonly writers: StreamWriter[];
  /** Live (not voided) expenses, to amend or void. */
  private readonly live: { id: string; amount: bigint }[] = [];
  readonly plan: PlannedCategory[];
  readonly days: number;
  /** Overspent cells whose Rebalance job runs late (at the end of the day). */
  private readonly pending: Pending[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly sink: EventSink,
    private readonly counter: Counter,
    readonly script: Script,
    readonly month: YearMonth,
  ) {
    const [scripted] = script.userIds as [string];
    this.writers = script.userIds.map(
      (userId, i) =>
        new StreamWriter(rng, budgetMonthStream(userId, month), userId, i === 0 ? undefined : scripted),
    );
    this.days = daysInMonth(month);
    const scale = 1 + rng.normal() * 0.05;
    const { income } = script;
    this.plan = [
      { category: 'rent' as Category, amount: (income * 35n) / 100n, kind: 'fixed', dueDay: script.rentDay },
      {
        category: 'utilities' as Category,
        amount: (income * BigInt(rng.int(4, 7))) / 100n,
        kind: 'fixed',
        dueDay: script.utilitiesDay,
      },
      ...FLEXIBLE.map(
        (f): PlannedCategory => ({
          category: f.category,
          amount: BigInt(Math.floor(Number(income) * f.share * scale)),
          kind: 'flexible',
        }),
      ),
    ];
  }

  planned(category: Category): bigint {
    return this.plan.find((p) => p.category === category)?.amount ?? 0n;
  }

  /**
   * Decides `command` for the scripted user and stores what it decided in every user's stream. A command
   * the decider refuses records nothing. `actor` undefined means the user; `causedBy` is the scripted id
   * of the event that caused the command.
   */
  private run(
    command: BudgetMonthCommand,
    now: string,
    actor?: string,
    causedBy?: string,
  ): { events: BudgetMonthEvent[]; ids: string[] } {
    let events: BudgetMonthEvent[];
    try {
      events = budgetMonthDecider.decide(command, this.state);
    } catch (error) {
      if (error instanceof DomainError) return { events: [], ids: [] };
      throw error;
    }
    if (events.length === 0) return { events, ids: [] };
    const encoded = events.map((event) => {
      this.state = budgetMonthDecider.evolve(this.state, event);
      return budgetMonthCodec.encode(event);
    });
    let scriptedIds: string[] = [];
    for (const writer of this.writers) {
      const metadataBase = {
        correlationId: this.rng.uuid(),
        ...(causedBy ? { causationId: writer.own(causedBy) } : {}),
        actor: actor ?? writer.userId,
        occurredAt: now,
      };
      const toStore = encoded.map(
        ({ type, data, schemaVersion }): NewEvent => ({
          id: this.rng.uuid(),
          type,
          data: writer.data(data),
          metadata: { ...metadataBase, schemaVersion } satisfies EventMetadata,
        }),
      );
      const ids = writer.write(this.sink, toStore, scriptedIds);
      if (scriptedIds.length === 0) scriptedIds = ids;
    }
    this.counter.total += events.length * this.writers.length;
    return { events, ids: scriptedIds };
  }

  planMonth(): void {
    const now = at(dateInMonth(this.month, 1), 0);
    this.run(
      {
        type: 'PlanMonth',
        data: {
          userId: this.script.userIds[0] as string,
          month: this.month,
          currency: this.script.currency,
          income: this.script.income,
          categories: this.plan,
          splitAlgorithm: this.script.split,
          now,
        },
      },
      now,
    );
  }

  expense(day: number, minute: number, category: Category, amount: bigint, merchant?: string): void {
    const date = dateInMonth(this.month, day);
    const now = at(date, minute);
    const id = this.rng.uuid();
    const note = this.rng.chance(0.1) ? `note ${this.rng.int(1, 999)}` : undefined;
    const decided = this.run(
      {
        type: 'RecordExpense',
        data: {
          transactionId: id,
          day: date,
          category,
          amount,
          currency: this.script.currency,
          ...(merchant ? { merchant } : {}),
          ...(note ? { note } : {}),
          source: this.rng.pick(SOURCES),
          now,
        },
      },
      now,
    );
    if (decided.events.length === 0) return;
    this.live.push({ id, amount });
    this.afterExpense(decided, now);
  }

  /** The reaction to an overspend: a Rebalance, usually within seconds, sometimes late. */
  private afterExpense(decided: { events: BudgetMonthEvent[]; ids: string[] }, now: string): void {
    const index = decided.events.findIndex((e) => e.type === 'OverspendDetected');
    const overspend = decided.events[index];
    if (overspend?.type !== 'OverspendDetected') return;
    const pending = {
      day: overspend.data.day,
      category: overspend.data.category,
      overspendId: decided.ids[index] as string,
    };
    if (this.rng.chance(0.85)) this.rebalance(pending, now);
    else this.pending.push(pending);
  }

  private rebalance(p: Pending, now: string): void {
    this.run(
      {
        type: 'Rebalance',
        data: {
          day: p.day,
          category: p.category,
          causedBy: p.overspendId,
          algorithm: this.script.redistribution,
          now,
        },
      },
      now,
      'system:rebalance',
      p.overspendId,
    );
  }

  /** Corrects an earlier expense's amount (and sometimes its merchant). */
  amend(day: number, minute: number): void {
    if (this.live.length === 0) return;
    const target = this.rng.pick(this.live);
    const now = at(dateInMonth(this.month, day), minute);
    const amount = target.amount + BigInt(Math.round(Number(target.amount) * (this.rng.next() - 0.4)));
    const decided = this.run(
      {
        type: 'AmendExpense',
        data: {
          transactionId: target.id,
          amount: amount > 0n ? amount : 1n,
          ...(this.rng.chance(0.2) ? { merchant: 'Corrected Merchant' } : {}),
          currency: this.script.currency,
          now,
        },
      },
      now,
    );
    const amended = decided.events[0];
    if (amended?.type !== 'ExpenseAmended') return;
    target.amount = amended.data.amount;
    this.afterExpense(decided, now);
  }

  void(day: number, minute: number): void {
    if (this.live.length === 0) return;
    const index = this.rng.int(0, this.live.length - 1);
    const target = this.live[index] as { id: string };
    const now = at(dateInMonth(this.month, day), minute);
    const reason = this.rng.chance(0.5) ? 'duplicate' : undefined;
    const decided = this.run(
      { type: 'VoidExpense', data: { transactionId: target.id, ...(reason ? { reason } : {}), now } },
      now,
    );
    if (decided.events.length > 0) this.live.splice(index, 1);
  }

  /** Moves some of a later day's allocation to today; refused when the source has less left. */
  adjust(day: number, minute: number, category: Category): void {
    if (day >= this.days) return;
    const from = this.rng.int(day + 1, this.days);
    const source = this.rng.pick(FLEXIBLE).category;
    const amount = this.planned(source) / BigInt(this.days * this.rng.int(1, 4)) + 1n;
    const now = at(dateInMonth(this.month, day), minute);
    this.run(
      {
        type: 'AdjustAllocation',
        data: {
          from: { day: dateInMonth(this.month, from), category: source },
          to: { day: dateInMonth(this.month, day), category },
          amount,
          ...(this.rng.chance(0.5) ? { reason: 'planned purchase' } : {}),
          now,
        },
      },
      now,
    );
  }

  /** Late rebalances, then (for users whose days are closed) the day close just after midnight. */
  endOfDay(day: number): void {
    const date = dateInMonth(this.month, day);
    for (const p of this.pending.splice(0)) this.rebalance(p, at(date, 23 * 60 + 30));
    if (!this.script.closesDays) return;
    const closeAt = day < this.days ? at(dateInMonth(this.month, day + 1), 5) : at(date, 23 * 60 + 59);
    this.run(
      { type: 'CloseDay', data: { day: date, policy: this.script.policy, now: closeAt } },
      closeAt,
      'system:day-close',
    );
  }

  finish(): void {
    for (const writer of this.writers) writer.finish(this.sink);
  }
}

/** Runs the simulation into `sink`; returns the number of events produced. */
export async function simulateEventLog(options: EventLogOptions, sink: EventSink): Promise<number> {
  const rng = new Rng(options.seed);
  const counter = new Counter(options.maxEvents ?? Number.POSITIVE_INFINITY);
  const first = options.firstMonth ?? ('2024-01' as YearMonth);
  const perScript = Math.max(1, Math.floor(options.usersPerScript ?? 8));
  const perGroup = Math.max(perScript, options.usersPerGroup ?? 32);
  for (let start = 0; start < options.users && !counter.done; start += perGroup) {
    const scripts: Script[] = [];
    for (let u = start; u < Math.min(options.users, start + perGroup); u += perScript) {
      const s = script(rng, Math.min(perScript, options.users - u));
      scripts.push(s);
      for (const userId of s.userIds) {
        registerUser(rng, sink, s, userId, at(dateInMonth(addMonths(first, -1), 20), rng.int(0, 1439)));
        counter.total += 1;
      }
    }
    for (let m = 0; m < options.monthsPerUser && !counter.done; m++) {
      const month = addMonths(first, m);
      const months = scripts.map((s) => new MonthScript(rng, sink, counter, s, month));
      await simulateMonth(rng, months, options.expensesPerMonth, counter, sink);
      for (const s of months) s.finish();
    }
    options.onProgress?.(counter.total);
  }
  return counter.total;
}

function registerUser(rng: Rng, sink: EventSink, s: Script, userId: string, now: string): void {
  const event: UserEvent = {
    type: 'UserRegistered',
    data: {
      userId,
      currency: s.currency,
      income: s.income,
      registeredAt: now,
      email: `user-${userId.slice(0, 8)}@example.com`,
      country: 'DE',
      timezone: rng.pick(TIMEZONES),
      rolloverPolicy: s.policy,
    },
  };
  const { type, data, schemaVersion } = userCodec.encode(event);
  const writer = new StreamWriter(rng, userStream(userId), userId);
  writer.write(sink, [
    {
      id: rng.uuid(),
      type,
      data,
      metadata: { correlationId: rng.uuid(), actor: userId, occurredAt: now, schemaVersion },
    },
  ]);
  writer.finish(sink);
}

/** One month of a group of scripts, day by day, scripts interleaved. */
async function simulateMonth(
  rng: Rng,
  months: MonthScript[],
  expensesPerMonth: number,
  counter: Counter,
  sink: EventSink,
): Promise<void> {
  const days = months[0]?.days ?? 30;
  const perDay = months.map(() => {
    const counts = new Array<number>(days + 1).fill(0);
    for (let i = 0; i < expensesPerMonth; i++) {
      const day = rng.int(1, days);
      counts[day] = (counts[day] ?? 0) + 1;
    }
    return counts;
  });
  for (const m of months) m.planMonth();
  for (let day = 1; day <= days && !counter.done; day++) {
    for (let i = 0; i < months.length && !counter.done; i++) {
      const m = months[i] as MonthScript;
      let minute = 7 * 60 + rng.int(0, 120);
      for (const p of m.plan) {
        if (p.kind !== 'fixed' || Math.min(p.dueDay ?? 1, days) !== day) continue;
        // Rent is paid as planned; utilities vary around the plan and sometimes exceed it.
        const amount = p.category === 'rent' ? p.amount : (p.amount * BigInt(rng.int(85, 110))) / 100n;
        m.expense(day, minute, p.category, amount > 0n ? amount : 1n, 'Landlord & Co');
        minute += 3;
      }
      const count = perDay[i]?.[day] ?? 0;
      for (let e = 0; e < count && !counter.done; e++) {
        minute += rng.int(5, 40);
        const flexible = pickFlexible(rng);
        // About 95% of the category's budget is spent over the month, in lumpy (log-normal) amounts.
        const mean =
          (Number(m.planned(flexible.category)) * 0.95 * FLEXIBLE_SHARE) /
          (expensesPerMonth * flexible.share);
        const amount = Math.max(1, Math.round(mean * Math.exp(0.8 * rng.normal() - 0.32)));
        const merchant = rng.chance(0.9) ? rng.pick(flexible.merchants) : undefined;
        m.expense(day, minute, flexible.category, BigInt(amount), merchant);
        const roll = rng.next();
        if (roll < 0.04) m.amend(day, minute + 1);
        else if (roll < 0.07) m.void(day, minute + 1);
        else if (roll < 0.1) m.adjust(day, minute + 1, flexible.category);
      }
      m.endOfDay(day);
    }
    await sink.drain();
  }
}

/** A flexible category, weighted by its share of the budget. */
function pickFlexible(rng: Rng): (typeof FLEXIBLE)[number] {
  let x = rng.next() * FLEXIBLE_SHARE;
  for (const f of FLEXIBLE) {
    x -= f.share;
    if (x < 0) return f;
  }
  return FLEXIBLE[FLEXIBLE.length - 1] as (typeof FLEXIBLE)[number];
}
