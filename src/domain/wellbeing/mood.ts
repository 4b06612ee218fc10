import type { Decider } from '../shared/decider.js';
import { fail } from '../shared/domain-error.js';
import type { LocalDate } from '../shared/local-date.js';

/** A user's mood log: `mood-<userId>`, one mood (1-5) a day; a later entry for a day replaces it. */
export const moodStream = (userId: string): string => `mood-${userId}`;

export type MoodRecorded = {
  type: 'MoodRecorded';
  data: { day: LocalDate; mood: number; recordedAt: string };
};
/** `today`: the user's date now; a mood is not recorded for a day still to come. */
export type RecordMood = {
  type: 'RecordMood';
  data: { day: LocalDate; mood: number; today: LocalDate; now: string };
};

export interface MoodState {
  readonly byDay: ReadonlyMap<string, number>;
}

export const moodDecider: Decider<RecordMood, MoodRecorded, MoodState> = {
  decide({ data }, state) {
    if (!Number.isInteger(data.mood) || data.mood < 1 || data.mood > 5)
      fail('invalid-habit', 'A mood is 1 to 5');
    if (data.day > data.today)
      fail('invalid-date', `${data.day} is in the future: a mood is recorded on the day or after`);
    if (state.byDay.get(data.day) === data.mood) return [];
    return [{ type: 'MoodRecorded', data: { day: data.day, mood: data.mood, recordedAt: data.now } }];
  },
  evolve: (state, event) => ({ byDay: new Map(state.byDay).set(event.data.day, event.data.mood) }),
  initialState: () => ({ byDay: new Map() }),
};

/** Below this many days with both a mood and a spending figure, no relation is claimed. */
export const MIN_SAMPLE = 14;

export interface MoodAnalysis {
  readonly sampleSize: number;
  /** Pearson's r between mood and that day's spending; absent below MIN_SAMPLE or without variation. */
  readonly correlation?: number;
  readonly finding:
    | 'not-enough-data'
    | 'no-clear-relation'
    | 'spends-more-in-better-moods'
    | 'spends-more-in-worse-moods';
}

/** How a day's mood and its spending move together, claimed only on enough days and |r| of 0.3 or more. */
export function analyseMood(days: readonly { mood: number; spent: bigint }[]): MoodAnalysis {
  const sampleSize = days.length;
  if (sampleSize < MIN_SAMPLE) return { sampleSize, finding: 'not-enough-data' };
  const xs = days.map((d) => d.mood);
  const ys = days.map((d) => Number(d.spent));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const cov = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0);
  const sx = Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0));
  const sy = Math.sqrt(ys.reduce((s, y) => s + (y - my) ** 2, 0));
  if (sx === 0 || sy === 0) return { sampleSize, finding: 'no-clear-relation' };
  const correlation = Math.round((cov / (sx * sy)) * 1000) / 1000;
  const finding =
    Math.abs(correlation) < 0.3
      ? 'no-clear-relation'
      : correlation > 0
        ? 'spends-more-in-better-moods'
        : 'spends-more-in-worse-moods';
  return { sampleSize, correlation, finding };
}
