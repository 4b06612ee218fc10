import { budgetMonthCodec } from '../../src/application/events/budget-month.codec.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import { cellAmount } from '../../src/domain/budget-month/cells.js';
import type { BudgetMonthEvent, PlannedCategory } from '../../src/domain/budget-month/events.js';
import {
  type BudgetMonthState,
  evolveBudgetMonth,
  initialBudgetMonthState,
} from '../../src/domain/budget-month/state.js';
import { budgetStreamOwner } from '../../src/domain/budget-month/stream-name.js';
import { dateInMonth, dayOfMonth, type YearMonth } from '../../src/domain/shared/local-date.js';

/**
 * The oracle of the projection property: what every table of every budget read model must hold after a
 * log, worked out without SQL, batches or deltas. Each month's stream is folded event by event with the
 * aggregate's own `evolve`; the amounts are the folded month's, and a row exists for every key an event
 * names (a cell a plan splits into, a move, an expense, a shortfall), zero or not, as the read models
 * keep a row for everything they were told about. What the aggregate does not keep (timestamps,
 * amendment counts, the plan as first given, the currency an expense was recorded in) is read off the
 * events here.
 *
 * Rows are arrays of text in the column order of `MODEL_QUERIES` (plans as parsed JSON).
 */
export type Tables = Record<string, unknown[][]>;

/** Per projection and table: the SELECT that reads a table in the model's row form (`$` is the schema). */
export const MODEL_QUERIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'daily-allocation': {
    cells: `SELECT user_id::text, to_char(day, 'YYYY-MM-DD'), category, allocated::text, spent::text, overdrawn::text FROM $.cells`,
    months: `SELECT user_id::text, month, currency, split_algorithm, plan, saved::text, planned::text FROM $.months`,
    closed_days: `SELECT user_id::text, to_char(day, 'YYYY-MM-DD') FROM $.closed_days`,
    expenses: `SELECT user_id::text, month, transaction_id, to_char(day, 'YYYY-MM-DD'), category, amount::text, voided::text FROM $.expenses`,
  },
  analytics: {
    daily_totals: `SELECT user_id::text, to_char(day, 'YYYY-MM-DD'), allocated::text, spent::text, transactions::text FROM $.daily_totals`,
    category_months: `SELECT user_id::text, month, category, allocated::text, spent::text, transactions::text FROM $.category_months`,
    merchant_months: `SELECT user_id::text, month, merchant, spent::text, transactions::text FROM $.merchant_months`,
    plans: `SELECT user_id::text, month, split_algorithm, plan FROM $.plans`,
    expenses: `SELECT user_id::text, month, transaction_id, to_char(day, 'YYYY-MM-DD'), category, merchant, amount::text, voided::text FROM $.expenses`,
  },
  transactions: {
    transactions: `SELECT user_id::text, month, transaction_id, to_char(day, 'YYYY-MM-DD'), category, amount::text,
      currency, merchant, note, source, status,
      to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), amended::text FROM $.transactions`,
    months: `SELECT user_id::text, month, currency FROM $.months`,
  },
};

/** What the model follows of one month's stream besides the aggregate's state. */
interface Month {
  readonly userId: string;
  readonly month: YearMonth;
  state: BudgetMonthState;
  /** Cells (`date|category`) any event named; `allocationCells` those named by the events analytics reads. */
  readonly cells: Set<string>;
  readonly allocationCells: Set<string>;
  readonly merchants: Set<string>;
  lastPlan?: { currency: string; splitAlgorithm: string; plan: readonly PlannedCategory[] };
  readonly transactions: Map<
    string,
    { currency: string; recordedAt: string; updatedAt?: string; amended: number }
  >;
}

const normalised = (merchant: string | undefined) => (merchant ?? '').trim().toLowerCase();
const iso = (at: string) => new Date(at).toISOString();
const planJson = (plan: readonly PlannedCategory[]) =>
  plan.map((c) => ({ ...c, amount: c.amount.toString() }));

/** The cells an event names, with the state before it (a void names where its expense counted). */
function namedCells(before: BudgetMonthState, after: BudgetMonthState, event: BudgetMonthEvent) {
  const current = (id: string) => before.transactions.get(id)?.current;
  switch (event.type) {
    case 'BudgetPlanned': {
      // A plan's split cells, the replaced plan's too (a replacement comes before anything else).
      const splits = [before, after].flatMap((s) => (s.status === 'planned' ? [...s.allocated.keys()] : []));
      const month = after.status === 'planned' ? after.month : (event.data.month as YearMonth);
      return splits.map((k) => {
        const [day, category] = k.split('|') as [string, string];
        return [dateInMonth(month, Number(day)), category] as const;
      });
    }
    case 'ExpenseRecorded':
      return [[event.data.day, event.data.category] as const];
    case 'ExpenseAmended':
    case 'ExpenseVoided': {
      const was = current(event.data.transactionId);
      const cells = was ? [[was.day, was.category] as const] : [];
      return event.type === 'ExpenseAmended'
        ? [...cells, [event.data.day, event.data.category] as const]
        : cells;
    }
    case 'BudgetReplanned':
    case 'DayClosed':
      return event.data.moves.map((m) => [m.day, m.category] as const);
    case 'BudgetRebalanced':
      return [
        ...event.data.moves.map((m) => [m.day, m.category] as const),
        [event.data.coveredDay, event.data.category] as const,
      ];
    case 'AllocationAdjusted':
      return [
        [event.data.from.day, event.data.from.category] as const,
        [event.data.to.day, event.data.to.category] as const,
      ];
    case 'MonthOverdrawn':
    case 'ShortfallReduced':
      return [[event.data.day, event.data.category] as const];
    case 'OverspendDetected':
      return [];
  }
}

function follow(m: Month, event: BudgetMonthEvent): void {
  const before = m.state;
  m.state = evolveBudgetMonth(before, event);
  for (const [day, category] of namedCells(before, m.state, event)) {
    m.cells.add(`${day}|${category}`);
    // Analytics does not read shortfalls (MonthOverdrawn, ShortfallReduced).
    if (event.type !== 'MonthOverdrawn' && event.type !== 'ShortfallReduced')
      m.allocationCells.add(`${day}|${category}`);
  }
  switch (event.type) {
    case 'BudgetPlanned':
      m.lastPlan = { ...event.data, plan: event.data.categories };
      return;
    case 'ExpenseRecorded': {
      const currency = event.data.currency ?? (before.status === 'planned' ? before.currency : undefined);
      if (currency === undefined) throw new Error('the log records an expense without a currency');
      m.transactions.set(event.data.transactionId, {
        currency,
        recordedAt: event.data.recordedAt,
        amended: 0,
      });
      m.merchants.add(normalised(event.data.merchant));
      return;
    }
    case 'ExpenseAmended':
    case 'ExpenseVoided': {
      const t = m.transactions.get(event.data.transactionId);
      if (!t) throw new Error('the log amends an unknown transaction');
      const was = before.transactions.get(event.data.transactionId)?.current;
      m.merchants.add(normalised(was?.merchant));
      if (event.type === 'ExpenseAmended') {
        m.merchants.add(normalised(event.data.merchant));
        t.amended += 1;
        t.updatedAt = event.data.amendedAt;
      } else t.updatedAt = event.data.voidedAt;
      return;
    }
    default:
      return;
  }
}

/** Folds the log's budget streams, each month on its own, in log order. */
function months(log: readonly RecordedEvent[]): Month[] {
  const byStream = new Map<string, Month>();
  for (const recorded of log) {
    if (!budgetMonthCodec.types.has(recorded.type)) continue;
    const owner = budgetStreamOwner(recorded.streamName);
    if (!owner) continue;
    let m = byStream.get(recorded.streamName);
    if (!m) {
      m = {
        ...owner,
        state: initialBudgetMonthState(),
        cells: new Set(),
        allocationCells: new Set(),
        merchants: new Set(),
        transactions: new Map(),
      };
      byStream.set(recorded.streamName, m);
    }
    follow(m, budgetMonthCodec.decode(recorded));
  }
  return [...byStream.values()];
}

const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);

function dailyAllocationRows(m: Month, tables: Tables): void {
  const { userId, month, state } = m;
  const planned = state.status === 'planned' ? state : undefined;
  for (const cell of m.cells) {
    const [day, category] = cell.split('|') as [string, string];
    const d = dayOfMonth(day as never);
    const [allocated, spent, overdrawn] = [planned?.allocated, state.spent, planned?.overdrawn].map((c) =>
      c ? cellAmount(c, d, category) : 0n,
    );
    tables.cells?.push([userId, day, category, `${allocated}`, `${spent}`, `${overdrawn}`]);
  }
  tables.months?.push([
    ...[userId, month, state.currency ?? '', planned?.splitAlgorithm ?? '', planJson(state.plan)],
    ...[`${planned?.saved ?? 0n}`, `${planned !== undefined}`],
  ]);
  for (const d of planned?.closedDays ?? []) tables.closed_days?.push([userId, dateInMonth(month, d)]);
  for (const [id, t] of state.transactions) {
    const { day, category, amount } = t.current;
    tables.expenses?.push([userId, month, id, day, category, `${amount}`, `${t.voided}`]);
  }
}

function analyticsRows(m: Month, tables: Tables): void {
  const { userId, month, state } = m;
  const allocated = state.status === 'planned' ? state.allocated : new Map();
  const live = [...state.transactions.values()].filter((t) => !t.voided).map((t) => t.current);
  const cells = [...m.allocationCells].map((c) => c.split('|') as [string, string]);
  const amountsOf = (cellsOf: Map<string, bigint>, day?: string, category?: string) =>
    sum(
      [...cellsOf]
        .filter(([k]) => {
          const [d, c] = k.split('|');
          return (day === undefined || Number(d) === dayOfMonth(day as never)) && (category ?? c) === c;
        })
        .map(([, v]) => v),
    );
  for (const day of new Set(cells.map(([d]) => d))) {
    const spent = live.filter((t) => t.day === day);
    tables.daily_totals?.push([
      ...[userId, day, `${amountsOf(allocated, day)}`, `${amountsOf(state.spent, day)}`],
      `${spent.length}`,
    ]);
  }
  for (const category of new Set(cells.map(([, c]) => c))) {
    const spent = live.filter((t) => t.category === category);
    tables.category_months?.push([
      ...[userId, month, category, `${amountsOf(allocated, undefined, category)}`],
      ...[`${amountsOf(state.spent, undefined, category)}`, `${spent.length}`],
    ]);
  }
  for (const merchant of m.merchants) {
    const spent = live.filter((t) => normalised(t.merchant) === merchant);
    tables.merchant_months?.push([
      userId,
      month,
      merchant,
      `${sum(spent.map((t) => t.amount))}`,
      `${spent.length}`,
    ]);
  }
  if (m.lastPlan) tables.plans?.push([userId, month, m.lastPlan.splitAlgorithm, planJson(m.lastPlan.plan)]);
  for (const [id, t] of state.transactions) {
    const { day, category, merchant, amount } = t.current;
    tables.expenses?.push([
      userId,
      month,
      id,
      day,
      category,
      normalised(merchant),
      `${amount}`,
      `${t.voided}`,
    ]);
  }
}

function transactionRows(m: Month, tables: Tables): void {
  const { userId, month, state } = m;
  for (const [id, t] of state.transactions) {
    const { currency, recordedAt, updatedAt, amended } = m.transactions.get(id) ?? {};
    const { day, category, amount, merchant, note } = t.current;
    tables.transactions?.push([
      ...[userId, month, id, day, category, `${amount}`, currency, merchant ?? null, note ?? null, t.source],
      ...[t.voided ? 'voided' : 'recorded', iso(recordedAt ?? ''), updatedAt ? iso(updatedAt) : null],
      `${amended}`,
    ]);
  }
  if (m.lastPlan) tables.months?.push([userId, month, m.lastPlan.currency]);
}

const ROWS: Record<string, (m: Month, tables: Tables) => void> = {
  'daily-allocation': dailyAllocationRows,
  analytics: analyticsRows,
  transactions: transactionRows,
};

/** Every model table of `projection` after `log`. */
export function expectedTables(projection: string, log: readonly RecordedEvent[]): Tables {
  const queries = MODEL_QUERIES[projection];
  const rows = ROWS[projection];
  if (!queries || !rows) throw new Error(`no model of projection ${projection}`);
  const tables: Tables = Object.fromEntries(Object.keys(queries).map((t) => [t, []]));
  for (const m of months(log)) rows(m, tables);
  return Object.fromEntries(Object.entries(tables).map(([t, r]) => [t, ordered(r)]));
}

/** Rows in one order whatever the source: by their text columns (the keys come first). */
export const ordered = (rows: readonly unknown[][]): unknown[][] =>
  [...rows].sort((a, b) => {
    const x = JSON.stringify(a.filter((v) => typeof v !== 'object' || v === null));
    const y = JSON.stringify(b.filter((v) => typeof v !== 'object' || v === null));
    return x < y ? -1 : x > y ? 1 : 0;
  });
