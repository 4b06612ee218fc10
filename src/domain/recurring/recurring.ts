import type { Category } from '../shared/category.js';
import type { Decider } from '../shared/decider.js';
import { fail } from '../shared/domain-error.js';
import type { LocalDate } from '../shared/local-date.js';
import type { Schedule } from './schedule.js';

/** What a recurring expense is: rent, a subscription. */
export interface RecurringTerms {
  readonly name: string;
  /** Minor units of the user's currency. */
  readonly amount: bigint;
  readonly category: Category;
  readonly schedule: Schedule;
}

export type RecurringExpenseAdded = {
  type: 'RecurringExpenseAdded';
  data: RecurringTerms & { recurringId: string; addedAt: string; addedOn: LocalDate };
};
/** Carries the complete new terms. */
export type RecurringExpenseChanged = {
  type: 'RecurringExpenseChanged';
  data: RecurringTerms & { recurringId: string; changedAt: string };
};
export type RecurringExpenseRemoved = {
  type: 'RecurringExpenseRemoved';
  data: { recurringId: string; removedAt: string };
};
export type RecurringEvent = RecurringExpenseAdded | RecurringExpenseChanged | RecurringExpenseRemoved;

export type RecurringCommand =
  | { type: 'AddRecurring'; data: RecurringTerms & { recurringId: string; today: LocalDate; now: string } }
  | { type: 'ChangeRecurring'; data: Partial<RecurringTerms> & { recurringId: string; now: string } }
  | { type: 'RemoveRecurring'; data: { recurringId: string; now: string } };

export interface RecurringExpense extends RecurringTerms {
  readonly recurringId: string;
  /** The user's date when it was added: occurrences before it are not recorded by Daybook. */
  readonly addedOn: LocalDate;
  readonly removed: boolean;
}

export interface RecurringState {
  readonly entries: ReadonlyMap<string, RecurringExpense>;
}

const MAX_ENTRIES = 200;

function checkTerms(terms: RecurringTerms): void {
  if (terms.name.trim() === '' || terms.name.length > 100)
    fail('invalid-recurring', 'A name is 1-100 characters');
  if (terms.amount <= 0n) fail('invalid-recurring', 'The amount is more than zero');
  const { startDate, endDate } = terms.schedule;
  if (endDate !== undefined && endDate < startDate)
    fail('invalid-recurring', 'The end date is after the start date');
}

const sameTerms = (a: RecurringTerms, b: RecurringTerms) =>
  a.name === b.name &&
  a.amount === b.amount &&
  a.category === b.category &&
  a.schedule.frequency === b.schedule.frequency &&
  a.schedule.startDate === b.schedule.startDate &&
  a.schedule.endDate === b.schedule.endDate;

const live = (state: RecurringState, id: string): RecurringExpense => {
  const entry = state.entries.get(id);
  return entry && !entry.removed ? entry : fail('recurring-not-found', 'No such recurring expense');
};

export function decideRecurring(command: RecurringCommand, state: RecurringState): RecurringEvent[] {
  const { recurringId, now } = command.data;
  switch (command.type) {
    case 'AddRecurring': {
      const { today, now: _now, ...terms } = command.data;
      const known = state.entries.get(recurringId);
      if (known) {
        if (!known.removed && sameTerms(known, terms)) return [];
        return fail('invalid-recurring', `Recurring expense ${recurringId} exists with other terms`);
      }
      checkTerms(terms);
      if (state.entries.size >= MAX_ENTRIES)
        fail('invalid-recurring', `At most ${MAX_ENTRIES} recurring expenses`);
      return [{ type: 'RecurringExpenseAdded', data: { ...terms, addedAt: now, addedOn: today } }];
    }
    case 'ChangeRecurring': {
      const entry = live(state, recurringId);
      const { now: _now, recurringId: _id, ...changes } = command.data;
      const terms: RecurringTerms = {
        name: changes.name ?? entry.name,
        amount: changes.amount ?? entry.amount,
        category: changes.category ?? entry.category,
        schedule: changes.schedule ?? entry.schedule,
      };
      checkTerms(terms);
      if (sameTerms(entry, terms)) return [];
      return [{ type: 'RecurringExpenseChanged', data: { ...terms, recurringId, changedAt: now } }];
    }
    case 'RemoveRecurring':
      live(state, recurringId);
      return [{ type: 'RecurringExpenseRemoved', data: { recurringId, removedAt: now } }];
  }
}

export function evolveRecurring(state: RecurringState, event: RecurringEvent): RecurringState {
  const entries = new Map(state.entries);
  const { recurringId } = event.data;
  const entry = entries.get(recurringId);
  if (event.type === 'RecurringExpenseAdded') {
    const { addedAt: _at, ...rest } = event.data;
    entries.set(recurringId, { ...rest, removed: false });
  } else if (entry && event.type === 'RecurringExpenseChanged') {
    const { name, amount, category, schedule } = event.data;
    entries.set(recurringId, { ...entry, name, amount, category, schedule });
  } else if (entry) {
    entries.set(recurringId, { ...entry, removed: true });
  }
  return { entries };
}

export const recurringDecider: Decider<RecurringCommand, RecurringEvent, RecurringState> = {
  decide: decideRecurring,
  evolve: evolveRecurring,
  initialState: () => ({ entries: new Map() }),
};
