import { Router } from 'express';
import { z } from 'zod';
import type { trackExpense } from '../../../application/budget/track-expense.js';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.port.js';
import type { AccessClaims } from '../../../application/ports/token-service.port.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { idempotency } from '../idempotency.js';
import { categoryString, moneyString, parseBody, text } from '../validate.js';
import { sendRecorded } from '../views.js';

export interface ExpenseUseCases {
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims | undefined>;
  readonly trackExpense: ReturnType<typeof trackExpense>;
  readonly idempotencyKeys: IdempotencyStore;
}

export const trackBody = z.strictObject({
  amount: moneyString,
  category: categoryString.optional(),
  merchant: text(200).optional(),
  note: text(200).optional(),
});

/**
 * `POST /api/expense/track`: quick entry, dated today in the user's time zone. Without a category the
 * categorizer decides (rules, merchant memory, language model, keywords, `other`).
 */
export function expenseRoutes(daybook: ExpenseUseCases): Router {
  const router = Router();
  router.post(
    '/track',
    requireScope(daybook.verifyAccessToken, 'write:transactions'),
    idempotency(daybook.idempotencyKeys),
    async (req, res) => {
      const body = parseBody(trackBody, req.body);
      const key = req.get('idempotency-key');
      const result = await daybook.trackExpense(
        {
          userId: authOf(req).userId,
          amount: body.amount,
          ...(body.category ? { category: body.category } : {}),
          ...(body.merchant ? { merchant: body.merchant } : {}),
          ...(body.note ? { note: body.note } : {}),
          ...(key === undefined ? {} : { idempotencyKey: key }),
        },
        commandContext(req),
      );
      sendRecorded(res, result, {
        date: result.date,
        merchant: body.merchant,
        description: body.note,
      });
    },
  );
  return router;
}
