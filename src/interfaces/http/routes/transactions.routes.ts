import { Router } from 'express';
import { z } from 'zod';
import type { Daybook } from '../../../application/daybook.js';
import { authOf, requireScope } from '../auth.js';
import { commandContext } from '../context.js';
import { categoryString, dateString, moneyString, parseBody, text } from '../validate.js';
import { amount } from '../views.js';

const transactionBody = z.strictObject({
  id: z.uuid().optional(),
  amount: moneyString,
  category: categoryString,
  date: dateString,
  merchant: text(200).optional(),
  description: text(200).optional(),
});

export function transactionRoutes(daybook: Daybook): Router {
  const router = Router();

  router.post('/', requireScope(daybook.verifyAccessToken, 'write:transactions'), async (req, res) => {
    const body = parseBody(transactionBody, req.body);
    const { userId } = authOf(req);
    const result = await daybook.recordExpense(
      {
        userId,
        ...(body.id ? { transactionId: body.id } : {}),
        amount: body.amount,
        category: body.category,
        date: body.date,
        ...(body.merchant ? { merchant: body.merchant } : {}),
        ...(body.description ? { note: body.description } : {}),
      },
      commandContext(req),
    );
    const currency = result.amount.currency;
    if (!result.created) res.setHeader('Idempotent-Replayed', 'true');
    res
      .status(201)
      .location(`/api/transactions/${result.transactionId}`)
      .json({
        id: result.transactionId,
        amount: amount(result.amount.amount, currency),
        currency,
        category: body.category,
        date: body.date,
        ...(body.merchant ? { merchant: body.merchant } : {}),
        ...(body.description ? { description: body.description } : {}),
        ...(result.overspentBy ? { overspentBy: amount(result.overspentBy.amount, currency) } : {}),
        ...(result.position ? { position: result.position } : {}),
      });
  });

  return router;
}
