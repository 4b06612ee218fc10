import { Router } from 'express';
import type { Daybook } from '../../../application/daybook.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { parseBody, parseParams } from '../validate.js';
import { checkInBody, habitBody, habitParams, moodBody } from './wellbeing.docs.js';

const withPosition = (position: string | undefined) => (position ? { position } : {});

/** Habits and mood: `/api/habits`, `/api/mood`. */
export function wellbeingRoutes(daybook: Daybook): Router {
  const router = Router();
  const verify = daybook.verifyAccessToken;

  router.get('/habits', requireScope(verify, 'read:goals'), async (req, res) => {
    res.json({ habits: await daybook.listHabits(authOf(req).userId) });
  });

  router.post('/habits', requireScope(verify, 'write:goals'), async (req, res) => {
    const body = parseBody(habitBody, req.body);
    const result = await daybook.createHabit(
      { userId: authOf(req).userId, name: body.name, ...(body.id ? { habitId: body.id } : {}) },
      commandContext(req),
    );
    res.status(201).json({ ...result.habit, ...withPosition(result.position) });
  });

  router.post('/habits/:id/check-in', requireScope(verify, 'write:goals'), async (req, res) => {
    const { id } = parseParams(habitParams, req.params);
    const body = parseBody(checkInBody, req.body);
    const result = await daybook.checkInHabit(
      { userId: authOf(req).userId, habitId: id, ...(body.date ? { date: body.date } : {}) },
      commandContext(req),
    );
    res.status(201).json({ ...result.habit, ...withPosition(result.position) });
  });

  router.post('/mood', requireScope(verify, 'write:goals'), async (req, res) => {
    const body = parseBody(moodBody, req.body);
    const result = await daybook.recordMood(
      { userId: authOf(req).userId, mood: body.mood, ...(body.date ? { date: body.date } : {}) },
      commandContext(req),
    );
    res.status(201).json({ date: result.date, mood: result.mood, ...withPosition(result.position) });
  });

  router.get('/mood/analysis', requireScope(verify, 'read:goals'), async (req, res) => {
    res.json(await daybook.moodAnalysis(authOf(req).userId));
  });

  return router;
}
