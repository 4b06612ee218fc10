import { budgetMonthDecider } from '../../domain/budget-month/budget-month.js';
import { type Cells, parseCellKey, sumCells } from '../../domain/budget-month/cells.js';
import type { BudgetMonthState } from '../../domain/budget-month/state.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { type Decider, foldEvents } from '../../domain/shared/decider.js';
import { DomainError, fail } from '../../domain/shared/domain-error.js';
import {
  dateInMonth,
  dayOfMonth,
  type LocalDate,
  monthOf,
  parseLocalDate,
  type YearMonth,
} from '../../domain/shared/local-date.js';
import type { Currency } from '../../domain/shared/money.js';
import { userDecider } from '../../domain/user/user.js';
import { type DailyBudget, dailyBudget } from '../budget/daily-budget.query.js';
import { type MonthlyBudget, monthlyBudget } from '../budget/monthly-budget.query.js';
import { budgetMonthCodec } from '../events/budget-month.codec.js';
import type { EventCodec } from '../events/codec.js';
import { userCodec } from '../events/user.codec.js';
import type { BudgetReadModel, CellTotals, MonthView } from '../ports/budget-read-model.port.js';
import type { EventStore } from '../ports/event-store.port.js';
import type { UserHandler } from '../users/require-user.js';
import type { FoldCheckpoints } from './fold-checkpoints.js';

const INSTANT =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;
const CHUNK = 1000;

/**
 * An ISO 8601 timestamp with a time zone (`Z` or `±hh:mm`), e.g. `2025-06-01T12:00:00.250+02:00`, as an
 * instant. Fractions finer than a millisecond are truncated: recorded times (`occurredAt`) are whole
 * milliseconds, so "recorded at or before" compares the same either way.
 */
export function parseInstant(value: string, field = 'asOf'): Date {
  const match = typeof value === 'string' && value.length <= 40 ? INSTANT.exec(value) : null;
  const invalid = (): never =>
    fail(
      'invalid-date',
      `${field} must be an ISO 8601 timestamp with a time zone, such as 2025-06-01T12:00:00Z`,
      { field },
    );
  if (!match) return invalid();
  try {
    parseLocalDate(match[1]);
  } catch (error) {
    if (error instanceof DomainError) return invalid();
    throw error;
  }
  const [, date, hh, mm, ss = '00', fraction = '', zone] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const at = Date.parse(`${date}T${hh}:${mm}:${ss}.${millis}${zone?.toUpperCase()}`);
  return Number.isNaN(at) ? invalid() : new Date(at);
}

export const isInstant = (value: string): boolean => {
  try {
    parseInstant(value);
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
};

/**
 * Folds the prefix of `stream` recorded at or before `asOf` (`metadata.occurredAt <= asOf`). A stream is
 * appended in time order, so the prefix ends at its first later event. It starts from the latest
 * checkpoint inside that prefix and leaves one every `checkpoints.every` events it folds.
 */
export async function foldAsOf<C, E extends { type: string; data: unknown }, S>(
  store: EventStore,
  stream: string,
  folding: { decider: Decider<C, E, S>; codec: EventCodec<E>; checkpoints: FoldCheckpoints },
  asOf: Date,
): Promise<{ state: S; version: bigint }> {
  const { decider, codec, checkpoints } = folding;
  const limit = asOf.getTime();
  const start = checkpoints.latest<S>(stream, limit);
  let state = start?.state ?? decider.initialState();
  let version = start?.version ?? -1n;
  let maxAt = start?.maxAt ?? Number.NEGATIVE_INFINITY;
  let pending: E[] = [];
  for (let from = version + 1n; ; ) {
    const chunk = await store.readStream(stream, { fromRevision: from, maxCount: CHUNK });
    for (const event of chunk) {
      const at = Date.parse(event.metadata.occurredAt);
      if (at > limit) return { state: foldEvents(decider, state, pending), version };
      pending.push(codec.decode(event));
      version = event.revision;
      maxAt = Math.max(maxAt, at);
      if ((version + 1n) % BigInt(checkpoints.every) === 0n) {
        state = foldEvents(decider, state, pending);
        pending = [];
        checkpoints.add(stream, { version, maxAt, state });
      }
    }
    const last = chunk[chunk.length - 1];
    if (!last || chunk.length < CHUNK) return { state: foldEvents(decider, state, pending), version };
    from = last.revision + 1n;
  }
}

/** The user as they stood at `asOf`; read-only (a command through it is a bug). */
const usersAsOf = (deps: AsOfDeps, asOf: Date): UserHandler => ({
  load: (stream) =>
    foldAsOf(
      deps.store,
      stream,
      { decider: userDecider, codec: userCodec, checkpoints: deps.checkpoints },
      asOf,
    ),
  handle: () => Promise.reject(new Error('the as-of user handler is read-only')),
  forget: () => 0,
});

/** The daily-allocation read model's answers, computed from the month streams' prefixes instead. */
export function budgetReadModelAsOf(deps: AsOfDeps, asOf: Date): BudgetReadModel {
  const folding = { decider: budgetMonthDecider, codec: budgetMonthCodec, checkpoints: deps.checkpoints };
  const month: BudgetReadModel['month'] = async (userId, yearMonth) => {
    const { state } = await foldAsOf(deps.store, budgetMonthStream(userId, yearMonth), folding, asOf);
    return monthView(state);
  };
  return {
    month,
    async day(userId, date) {
      const { state } = await foldAsOf(deps.store, budgetMonthStream(userId, monthOf(date)), folding, asOf);
      const view = monthView(state);
      if (!view) return undefined;
      const cells = new Map<string, Totals>();
      const day = dayOfMonth(date);
      for (const field of FIELDS) {
        for (const [key, amount] of cellsOf(state, field)) {
          const cell = parseCellKey(key);
          if (cell.day === day) bucket(cells, cell.category)[field] += amount;
        }
      }
      return { month: view, cells: cells as ReadonlyMap<string, CellTotals> };
    },
    waitFor: async () => true,
  };
}

type Totals = { allocated: bigint; spent: bigint };
const FIELDS = ['allocated', 'spent'] as const;

const bucket = <K>(map: Map<K, Totals>, key: K): Totals => {
  let totals = map.get(key);
  if (!totals) {
    totals = { allocated: 0n, spent: 0n };
    map.set(key, totals);
  }
  return totals;
};

/** A month without a plan has spending only. */
const cellsOf = (state: BudgetMonthState, field: (typeof FIELDS)[number]): Cells =>
  field === 'spent' ? state.spent : state.status === 'planned' ? state.allocated : new Map();

/**
 * The month as the read model would hold it after applying the same events: undefined for a month with
 * neither plan nor expenses.
 */
function monthView(state: BudgetMonthState): MonthView | undefined {
  if (state.status === 'unplanned' && (state.month === undefined || state.currency === undefined))
    return undefined;
  const month = state.month as YearMonth;
  const byCategory = new Map<string, Totals>();
  const byDay = new Map<LocalDate, Totals>();
  for (const field of FIELDS) {
    for (const [key, amount] of cellsOf(state, field)) {
      const { day, category } = parseCellKey(key);
      bucket(byCategory, category)[field] += amount;
      bucket(byDay, dateInMonth(month, day))[field] += amount;
    }
  }
  const planned = state.status === 'planned';
  return {
    planned,
    currency: state.currency as Currency,
    splitAlgorithm: planned ? state.splitAlgorithm : '',
    plan: state.plan,
    saved: planned ? state.saved : 0n,
    overdrawn: planned ? sumCells(state.overdrawn) : 0n,
    byCategory,
    byDay,
    closedDays: new Set(planned ? [...state.closedDays].map((day) => dateInMonth(month, day)) : []),
  };
}

export interface AsOfDeps {
  readonly store: EventStore;
  readonly checkpoints: FoldCheckpoints;
}

/**
 * "What was I shown then?": the daily budget rebuilt from the log as it stood at `asOf` (the user and
 * the month stream folded up to their last event recorded at or before it), never from the read models.
 * Same shape as `dailyBudget`.
 */
export const dailyBudgetAsOf =
  (deps: AsOfDeps) =>
  async (input: { userId: string; date: string; asOf: string }): Promise<DailyBudget> => {
    const asOf = parseInstant(input.asOf);
    return dailyBudget({
      users: usersAsOf(deps, asOf),
      readModel: budgetReadModelAsOf(deps, asOf),
    })({ userId: input.userId, date: input.date });
  };

/** The monthly budget as it stood at `asOf`; same shape as `monthlyBudget`. */
export const monthlyBudgetAsOf =
  (deps: AsOfDeps) =>
  async (input: { userId: string; month: string; asOf: string }): Promise<MonthlyBudget> => {
    const asOf = parseInstant(input.asOf);
    return monthlyBudget({
      users: usersAsOf(deps, asOf),
      readModel: budgetReadModelAsOf(deps, asOf),
    })({ userId: input.userId, month: input.month });
  };
