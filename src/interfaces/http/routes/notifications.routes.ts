import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import {
  NOTIFICATION_KINDS,
  type NotificationRecord,
} from '../../../application/ports/notification-store.port.js';
import { authOf, requireAuth } from '../auth.js';
import { problem } from '../problem.js';
import { parseBody, parseParams, parseQuery, text } from '../validate.js';

export type NotificationUseCases = Pick<
  Daybook,
  | 'verifyAccessToken'
  | 'registerDevice'
  | 'removeDevice'
  | 'listNotifications'
  | 'markNotificationRead'
  | 'notificationSettings'
  | 'updateNotificationSettings'
>;

/** FCM registration tokens are ~160 characters of [A-Za-z0-9_:-]; room is left for other providers. */
export const deviceBody = z.strictObject({
  token: z
    .string()
    .min(1)
    .max(4096)
    .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces'),
  platform: z.enum(['android', 'ios', 'web']).default('android'),
});
export const deviceDeleteBody = z.strictObject({ token: deviceBody.shape.token });
export const notificationParams = z.object({ id: text(200, 1) });
export const notificationsQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional(),
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
const kindsSchema = z.strictObject(
  Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, z.boolean().optional()])) as Record<
    (typeof NOTIFICATION_KINDS)[number],
    z.ZodOptional<z.ZodBoolean>
  >,
);
export const settingsBody = z.strictObject({ push: z.boolean().optional(), kinds: kindsSchema.optional() });

export const notificationView = (n: NotificationRecord) => ({
  id: n.id,
  kind: n.kind,
  text: n.text,
  data: n.data,
  createdAt: n.createdAt,
  read: n.readAt !== undefined,
  ...(n.readAt ? { readAt: n.readAt } : {}),
});

/** /api/notifications: the user's notifications, their settings and push device tokens. */
export function notificationRoutes(daybook: NotificationUseCases): Router {
  const router = Router();
  const auth = requireAuth(daybook.verifyAccessToken);

  router.post('/devices', auth, async (req, res) => {
    const body = parseBody(deviceBody, req.body);
    await daybook.registerDevice(authOf(req).userId, body);
    res.status(201).json({ token: body.token, platform: body.platform });
  });

  router.delete('/devices', auth, async (req, res) => {
    const { token } = parseBody(deviceDeleteBody, req.body);
    if (!(await daybook.removeDevice(authOf(req).userId, token)))
      throw problem(404, 'not-found', 'Not found', { detail: 'No such device token' });
    res.status(204).end();
  });

  router.get('/', auth, async (req, res) => {
    const { limit = 50, unread = false } = parseQuery(notificationsQuery, req.query);
    const items = await daybook.listNotifications(authOf(req).userId, { limit, unreadOnly: unread });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items: items.map(notificationView) });
  });

  router.get('/settings', auth, async (req, res) => {
    res.json(await daybook.notificationSettings(authOf(req).userId));
  });

  router.put('/settings', auth, async (req, res) => {
    const body = parseBody(settingsBody, req.body);
    const kinds = Object.fromEntries(Object.entries(body.kinds ?? {}).filter(([, v]) => v !== undefined));
    res.json(
      await daybook.updateNotificationSettings(authOf(req).userId, {
        ...(body.push === undefined ? {} : { push: body.push }),
        kinds,
      }),
    );
  });

  router.put('/:id/read', auth, async (req, res) => {
    const { id } = parseParams(notificationParams, req.params);
    if (!(await daybook.markNotificationRead(authOf(req).userId, id)))
      throw problem(404, 'not-found', 'Not found', { detail: 'No such notification' });
    res.status(204).end();
  });
  return router;
}
