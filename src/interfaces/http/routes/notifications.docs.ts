import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../../application/ports/notification-store.port.js';
import type { ApiDocs } from '../openapi.js';
import {
  deviceBody,
  deviceDeleteBody,
  notificationParams,
  notificationsQuery,
  settingsBody,
} from './notifications.routes.js';

const kinds = z.enum(NOTIFICATION_KINDS);
const settingsOut = z.object({ push: z.boolean(), kinds: z.record(kinds, z.boolean()) });

/** OpenAPI descriptions of /api/notifications and /api/health/external. */
export const notificationDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'post',
      path: '/api/notifications/devices',
      summary: 'Register a push device token (FCM); registering it again moves it to this user',
      scope: 'token',
      body: deviceBody,
      responses: { 201: z.object({ token: z.string(), platform: z.string() }) },
    },
    {
      method: 'delete',
      path: '/api/notifications/devices',
      summary: 'Forget a push device token',
      scope: 'token',
      body: deviceDeleteBody,
      errors: ['not-found'],
      responses: { 204: undefined },
    },
    {
      method: 'get',
      path: '/api/notifications',
      summary: 'Overspends, rebalances, overdrawn months and finished receipts, newest first',
      scope: 'token',
      query: notificationsQuery,
      responses: {
        200: z.object({
          items: z.array(
            z.object({
              id: z.string(),
              kind: kinds,
              text: z.string(),
              data: z.record(z.string(), z.unknown()),
              createdAt: z.string(),
              read: z.boolean(),
              readAt: z.string().optional(),
            }),
          ),
        }),
      },
    },
    {
      method: 'put',
      path: '/api/notifications/:id/read',
      summary: 'Mark a notification read',
      scope: 'token',
      params: notificationParams,
      errors: ['not-found'],
      responses: { 204: undefined },
    },
    {
      method: 'get',
      path: '/api/notifications/settings',
      summary: 'Which notifications are pushed to devices (all are kept in the list)',
      scope: 'token',
      responses: { 200: settingsOut },
    },
    {
      method: 'put',
      path: '/api/notifications/settings',
      summary: 'Change push settings: `push` for all, `kinds` one by one (absent fields keep)',
      scope: 'token',
      body: settingsBody,
      responses: { 200: settingsOut },
    },
    {
      method: 'get',
      path: '/api/health/external',
      summary:
        'Operators: each outside integration (OCR engine, Google Vision, OpenAI, Firebase): configured, reachable at its last call, last error',
      scope: 'admin',
      responses: {
        200: z.object({
          integrations: z.array(
            z.object({
              name: z.string(),
              configured: z.boolean(),
              reachable: z.boolean().optional(),
              lastError: z.string().optional(),
              lastErrorAt: z.string().optional(),
              lastSuccessAt: z.string().optional(),
              detail: z.string().optional(),
            }),
          ),
        }),
      },
    },
  );
