import { Router } from 'express';
import { z } from 'zod';
import type { getImportTask } from '../../../application/imports/import-transactions.js';
import type { ImportTask } from '../../../application/ports/import-task-store.port.js';
import type { AccessClaims } from '../../../application/ports/token-service.port.js';
import { authOf, requireScope } from '../auth.js';
import { problem } from '../problem.js';
import { parseParams, text } from '../validate.js';

export interface TaskUseCases {
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims | undefined>;
  readonly getImportTask: ReturnType<typeof getImportTask>;
}

export const taskParams = z.object({ id: text(200, 1) });

const taskView = (task: ImportTask) => ({
  id: task.id,
  kind: 'import',
  status: task.status,
  progress: task.progress,
  errors: task.errors,
  ...(task.failure === undefined ? {} : { failure: task.failure }),
  ...(task.position === undefined ? {} : { position: task.position }),
  createdAt: task.createdAt,
  updatedAt: task.updatedAt,
});

/** `GET /api/tasks/{id}`: a background task's status and progress; another user's task is a 404. */
export function taskRoutes(daybook: TaskUseCases): Router {
  const router = Router();
  router.get('/:id', requireScope(daybook.verifyAccessToken, 'read:transactions'), async (req, res) => {
    const { id } = parseParams(taskParams, req.params);
    const task = await daybook.getImportTask(authOf(req).userId, id);
    if (!task) throw problem(404, 'task-not-found', 'Not found', { detail: 'No such task' });
    res.setHeader('Cache-Control', 'no-store');
    res.json(taskView(task));
  });
  return router;
}
