import { z } from 'zod';
import type { LocalDate } from '../../domain/shared/local-date.js';
import type { HabitEvent } from '../../domain/wellbeing/habits.js';
import type { MoodRecorded } from '../../domain/wellbeing/mood.js';
import { createCodec, isoTimestamp } from './codec.js';

const date = z.string().transform((s) => s as LocalDate);

export const habitsCodec = createCodec<HabitEvent>({
  HabitCreated: {
    version: 1,
    schema: z.object({ habitId: z.string(), name: z.string(), createdAt: isoTimestamp }),
  },
  HabitCheckedIn: {
    version: 1,
    schema: z.object({ habitId: z.string(), day: date, checkedInAt: isoTimestamp }),
  },
});

export const moodCodec = createCodec<MoodRecorded>({
  MoodRecorded: {
    version: 1,
    schema: z.object({ day: date, mood: z.number().int(), recordedAt: isoTimestamp }),
  },
});
