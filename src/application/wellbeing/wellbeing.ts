import { parseCellKey } from '../../domain/budget-month/cells.js';
import { budgetMonthStream } from '../../domain/budget-month/stream-name.js';
import { SAVINGS_CATEGORY } from '../../domain/goal/saving-capacity.js';
import { type LocalDate, localDateAt, monthOf, parseLocalDate } from '../../domain/shared/local-date.js';
import { type Habit, habitsDecider, habitsStream, streakOf } from '../../domain/wellbeing/habits.js';
import { analyseMood, moodDecider, moodStream } from '../../domain/wellbeing/mood.js';
import type { BudgetMonthHandler } from '../budget/budget-handler.js';
import { type CommandContext, type CommandHandlerDeps, commandHandler } from '../command-handler.js';
import { trackWrites } from '../consistency/track-writes.js';
import { habitsCodec, moodCodec } from '../events/wellbeing.codec.js';
import type { WritePositions } from '../ports/write-positions.port.js';
import { requireUser, type UserHandler } from '../users/require-user.js';

export interface WellbeingDeps extends CommandHandlerDeps {
  readonly users: UserHandler;
  readonly budgets: BudgetMonthHandler;
  readonly writes: WritePositions;
}

/** Days of mood log the analysis reads. */
const ANALYSIS_DAYS = 90;

/** Habits and mood (MITA): `habits-<userId>` and `mood-<userId>`. */
export function createWellbeingUseCases(ports: WellbeingDeps) {
  const habits = trackWrites(commandHandler(ports, habitsDecider, habitsCodec), ports.writes);
  const moods = trackWrites(commandHandler(ports, moodDecider, moodCodec), ports.writes);
  const now = () => ports.clock.now().toISOString();
  const userAndToday = async (userId: string) => {
    const user = await requireUser(ports.users, userId);
    return { user, today: localDateAt(ports.clock.now(), user.profile.timezone) };
  };
  const viewOf = (habit: Habit, today: LocalDate) => ({
    id: habit.habitId,
    name: habit.name,
    createdAt: habit.createdAt,
    checkIns: habit.days.size,
    checkedInToday: habit.days.has(today),
    streak: streakOf(habit, today),
  });

  return {
    listHabits: async (userId: string) => {
      const { user, today } = await userAndToday(userId);
      const { state } = await habits.load(habitsStream(user.userId));
      return [...state.habits.values()].map((h) => viewOf(h, today));
    },
    createHabit: async (
      input: { userId: string; habitId?: string; name: string },
      context: CommandContext,
    ) => {
      const { user, today } = await userAndToday(input.userId);
      const habitId = input.habitId ?? ports.ids.uuid();
      const handled = await habits.handle(
        habitsStream(user.userId),
        { type: 'CreateHabit', data: { habitId, name: input.name.trim(), now: now() } },
        { ...context, actor: user.userId },
      );
      return { habit: viewOf(handled.state.habits.get(habitId) as Habit, today), position: handled.position };
    },
    checkInHabit: async (
      input: { userId: string; habitId: string; date?: string },
      context: CommandContext,
    ) => {
      const { user, today } = await userAndToday(input.userId);
      const handled = await habits.handle(
        habitsStream(user.userId),
        {
          type: 'CheckIn',
          data: {
            habitId: input.habitId,
            day: input.date ? parseLocalDate(input.date) : today,
            today,
            now: now(),
          },
        },
        { ...context, actor: user.userId },
      );
      return {
        habit: viewOf(handled.state.habits.get(input.habitId) as Habit, today),
        position: handled.position,
      };
    },
    recordMood: async (input: { userId: string; mood: number; date?: string }, context: CommandContext) => {
      const { user, today } = await userAndToday(input.userId);
      const day = input.date ? parseLocalDate(input.date) : today;
      const handled = await moods.handle(
        moodStream(user.userId),
        { type: 'RecordMood', data: { day, mood: input.mood, today, now: now() } },
        { ...context, actor: user.userId },
      );
      return { date: day, mood: input.mood, position: handled.position };
    },
    /** Each logged day's mood against that day's spending (savings excluded), over the last 90 days. */
    moodAnalysis: async (userId: string) => {
      const { user, today } = await userAndToday(userId);
      const since = new Date(`${today}T00:00:00Z`);
      since.setUTCDate(since.getUTCDate() - ANALYSIS_DAYS);
      const { state } = await moods.load(moodStream(user.userId));
      const logged = [...state.byDay].filter(
        ([day]) => day >= since.toISOString().slice(0, 10) && day <= today,
      );
      const months = [...new Set(logged.map(([day]) => monthOf(day as LocalDate)))];
      const spentByDay = new Map<string, bigint>();
      for (const month of months) {
        const { state: m } = await ports.budgets.load(budgetMonthStream(user.userId, month));
        for (const [key, amount] of m.spent) {
          const { day, category } = parseCellKey(key);
          if (category === SAVINGS_CATEGORY) continue;
          const date = `${month}-${String(day).padStart(2, '0')}`;
          spentByDay.set(date, (spentByDay.get(date) ?? 0n) + amount);
        }
      }
      const days = logged.map(([day, mood]) => ({ mood, spent: spentByDay.get(day) ?? 0n }));
      return {
        currency: user.currency,
        from: since.toISOString().slice(0, 10),
        to: today,
        ...analyseMood(days),
      };
    },
  };
}
