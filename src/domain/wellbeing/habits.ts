import type { Decider } from '../shared/decider.js';
import { fail } from '../shared/domain-error.js';
import type { LocalDate } from '../shared/local-date.js';

/** A user's habits (MITA): `habits-<userId>`. */
export const habitsStream = (userId: string): string => `habits-${userId}`;

/** The user a `habits-<userId>` stream belongs to; undefined for any other stream. */
export const habitsStreamOwner = (stream: string): string | undefined => /^habits-(.+)$/.exec(stream)?.[1];

export type HabitEvent =
  | { type: 'HabitCreated'; data: { habitId: string; name: string; createdAt: string } }
  | { type: 'HabitCheckedIn'; data: { habitId: string; day: LocalDate; checkedInAt: string } };

export type HabitCommand =
  | { type: 'CreateHabit'; data: { habitId: string; name: string; now: string } }
  /** `today`: the user's date now; a day after it cannot be checked in yet. */
  | { type: 'CheckIn'; data: { habitId: string; day: LocalDate; today: LocalDate; now: string } };

export interface Habit {
  readonly habitId: string;
  readonly name: string;
  readonly createdAt: string;
  /** Days checked in, each once. */
  readonly days: ReadonlySet<string>;
}

export interface HabitsState {
  readonly habits: ReadonlyMap<string, Habit>;
}

const MAX_HABITS = 100;

export const habitsDecider: Decider<HabitCommand, HabitEvent, HabitsState> = {
  decide(command, state) {
    const known = state.habits.get(command.data.habitId);
    if (command.type === 'CreateHabit') {
      const { habitId, name, now } = command.data;
      if (known)
        return known.name === name ? [] : fail('invalid-habit', `Habit ${habitId} exists with another name`);
      if (name.trim() === '' || name.length > 100)
        fail('invalid-habit', "A habit's name is 1-100 characters");
      if (state.habits.size >= MAX_HABITS) fail('invalid-habit', `At most ${MAX_HABITS} habits`);
      return [{ type: 'HabitCreated', data: { habitId, name, createdAt: now } }];
    }
    if (!known) return fail('habit-not-found', 'No such habit');
    if (command.data.day > command.data.today)
      return fail(
        'invalid-date',
        `${command.data.day} is in the future: a habit is checked in on the day or after`,
      );
    if (known.days.has(command.data.day)) return [];
    const { habitId, day, now } = command.data;
    return [{ type: 'HabitCheckedIn', data: { habitId, day, checkedInAt: now } }];
  },
  evolve(state, event) {
    const habits = new Map(state.habits);
    const { habitId } = event.data;
    if (event.type === 'HabitCreated') {
      habits.set(habitId, {
        habitId,
        name: event.data.name,
        createdAt: event.data.createdAt,
        days: new Set(),
      });
    } else {
      const habit = habits.get(habitId);
      if (habit) habits.set(habitId, { ...habit, days: new Set(habit.days).add(event.data.day) });
    }
    return { habits };
  },
  initialState: () => ({ habits: new Map() }),
};

/** Consecutive days checked in, ending today or yesterday. */
export function streakOf(habit: Habit, today: LocalDate): number {
  const day = new Date(`${today}T00:00:00Z`);
  if (!habit.days.has(today)) day.setUTCDate(day.getUTCDate() - 1);
  let streak = 0;
  while (habit.days.has(day.toISOString().slice(0, 10))) {
    streak += 1;
    day.setUTCDate(day.getUTCDate() - 1);
  }
  return streak;
}
