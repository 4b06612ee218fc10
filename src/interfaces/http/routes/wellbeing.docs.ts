import { z } from 'zod';
import type { ApiDocs } from '../openapi.js';
import { dateString, text } from '../validate.js';

export const habitParams = z.object({ id: z.uuid() });
export const habitBody = z.strictObject({ id: z.uuid().optional(), name: text(100, 1) });
export const checkInBody = z.strictObject({
  date: dateString.optional().openapi({ description: "Default today in the user's time zone" }),
});
export const moodBody = z.strictObject({
  mood: z.number().int().min(1).max(5).openapi({ description: '1 (bad) to 5 (great)' }),
  date: dateString
    .optional()
    .openapi({ description: "Default today in the user's time zone; a later entry for a day replaces it" }),
});

const habitOut = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  checkIns: z.number().int(),
  checkedInToday: z.boolean(),
  streak: z.number().int(),
  position: z.string().optional(),
});

export const wellbeingDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/habits',
      summary: "The user's habits with check-ins and current streak",
      scope: 'read:goals',
      responses: { 200: z.object({ habits: z.array(habitOut) }) },
    },
    {
      method: 'post',
      path: '/api/habits',
      summary: 'Create a habit (the same id and name again change nothing)',
      scope: 'write:goals',
      body: habitBody,
      errors: ['invalid-habit'],
      responses: { 201: habitOut },
    },
    {
      method: 'post',
      path: '/api/habits/:id/check-in',
      summary: 'Check a habit in for a day (once a day; again changes nothing)',
      scope: 'write:goals',
      params: habitParams,
      body: checkInBody,
      errors: ['habit-not-found', 'invalid-date'],
      responses: { 201: habitOut },
    },
    {
      method: 'post',
      path: '/api/mood',
      summary: "Record the day's mood",
      scope: 'write:goals',
      body: moodBody,
      errors: ['invalid-date', 'invalid-habit'],
      responses: {
        201: z.object({ date: z.string(), mood: z.number().int(), position: z.string().optional() }),
      },
    },
    {
      method: 'get',
      path: '/api/mood/analysis',
      summary:
        "Mood against that day's spending over the last 90 days: the sample size always, Pearson's r and a finding only from 14 days on (|r| under 0.3 is no clear relation)",
      scope: 'read:goals',
      responses: {
        200: z.object({
          currency: z.string(),
          from: z.string(),
          to: z.string(),
          sampleSize: z.number().int(),
          correlation: z.number().optional(),
          finding: z.enum([
            'not-enough-data',
            'no-clear-relation',
            'spends-more-in-better-moods',
            'spends-more-in-worse-moods',
          ]),
        }),
      },
    },
  );
