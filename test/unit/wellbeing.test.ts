import { describe, expect, it } from 'vitest';
import type { LocalDate } from '../../src/domain/shared/local-date.js';
import { type Habit, streakOf } from '../../src/domain/wellbeing/habits.js';
import { analyseMood, MIN_SAMPLE } from '../../src/domain/wellbeing/mood.js';

describe('mood analysis', () => {
  it('states the sample size and claims nothing below the minimum', () => {
    const days = Array.from({ length: MIN_SAMPLE - 1 }, (_, i) => ({ mood: (i % 5) + 1, spent: BigInt(i) }));
    expect(analyseMood(days)).toEqual({ sampleSize: MIN_SAMPLE - 1, finding: 'not-enough-data' });
  });

  it('finds spending falling with mood, and no relation where there is none', () => {
    const falling = Array.from({ length: 20 }, (_, i) => ({
      mood: (i % 5) + 1,
      spent: BigInt(100 - ((i % 5) + 1) * 10),
    }));
    expect(analyseMood(falling)).toEqual({
      sampleSize: 20,
      correlation: -1,
      finding: 'spends-more-in-worse-moods',
    });
    const flat = Array.from({ length: 20 }, (_, i) => ({ mood: (i % 5) + 1, spent: 500n }));
    expect(analyseMood(flat).finding).toBe('no-clear-relation');
  });
});

describe('habit streak', () => {
  it('counts consecutive days ending today or yesterday', () => {
    const habit: Habit = {
      habitId: 'h',
      name: 'Walk',
      createdAt: '',
      days: new Set(['2025-06-08', '2025-06-09']),
    };
    expect(streakOf(habit, '2025-06-10' as LocalDate)).toBe(2);
    expect(streakOf(habit, '2025-06-09' as LocalDate)).toBe(2);
    expect(streakOf(habit, '2025-06-12' as LocalDate)).toBe(0);
  });
});
