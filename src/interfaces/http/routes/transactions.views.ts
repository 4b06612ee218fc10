import type { z } from 'zod';
import type { MonthOutcome, RecordExpensesResult } from '../../../application/budget/record-expenses.js';
import type { TransactionItem } from '../../../application/ports/transaction-read-model.port.js';
import { toProblem } from '../problem.js';
import { amount } from '../views.js';
import type { bulkBody } from './transactions.schemas.js';

export const transactionView = (t: TransactionItem) => ({
  id: t.transactionId,
  amount: amount(t.amount, t.currency),
  currency: t.currency,
  category: t.category,
  date: t.day,
  ...(t.merchant === undefined ? {} : { merchant: t.merchant }),
  ...(t.note === undefined ? {} : { description: t.note }),
  source: t.source,
  status: t.status,
  recordedAt: t.recordedAt,
  ...(t.updatedAt === undefined ? {} : { updatedAt: t.updatedAt }),
});

type BulkItem = z.infer<typeof bulkBody>['transactions'][number];

/** The bulk response: per month, recorded or rejected (with the problem that rejected it). */
export function bulkView(result: RecordExpensesResult, items: readonly BulkItem[]) {
  const monthView = (m: MonthOutcome) => {
    if (m.status === 'recorded') {
      return {
        month: m.month,
        status: 'recorded' as const,
        ...(m.position ? { position: m.position } : {}),
        transactions: m.transactions.map((t) => ({
          index: t.index,
          id: t.transactionId,
          amount: amount(t.amount.amount, t.amount.currency),
          currency: t.amount.currency,
          category: t.category,
          ...(t.categorizedBy ? { categorizedBy: t.categorizedBy } : {}),
          date: t.day,
          ...(t.merchant ? { merchant: t.merchant } : {}),
          ...(t.note ? { description: t.note } : {}),
          created: t.created,
          ...(t.overspentBy ? { overspentBy: amount(t.overspentBy.amount, t.overspentBy.currency) } : {}),
        })),
      };
    }
    const details = m.error ? toProblem(m.error) : undefined;
    return {
      month: m.month,
      status: 'rejected' as const,
      error: {
        ...(details ?? {
          type: '/problems/month-rejected',
          title: 'Unprocessable content',
          status: 422,
          code: 'month-rejected',
        }),
        ...(m.rejectedIndex === undefined ? {} : { index: m.rejectedIndex }),
      },
      // As sent: nothing of this month was recorded.
      transactions: m.indexes.map((index) => {
        const t = items[index] as BulkItem;
        return {
          index,
          ...(t.id ? { id: t.id } : {}),
          amount: t.amount,
          ...(t.category === undefined ? {} : { category: t.category }),
          date: t.date,
          ...(t.merchant ? { merchant: t.merchant } : {}),
          ...(t.description ? { description: t.description } : {}),
        };
      }),
    };
  };
  const months = result.months.map(monthView);
  const recorded = months.filter((m) => m.status === 'recorded').length;
  return {
    months,
    recorded,
    rejected: months.length - recorded,
    ...(result.position ? { position: result.position } : {}),
  };
}
