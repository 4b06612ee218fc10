import { healthDocs } from './health.routes.js';
import { ApiDocs } from './openapi.js';
import { analyticsDocs } from './routes/analytics.routes.js';
import { auditDocs } from './routes/audit.routes.js';
import { authDocs } from './routes/auth.routes.js';
import { budgetDocs } from './routes/budget.routes.js';
import { engineDocs } from './routes/engine.routes.js';
import { expenseDocs, taskDocs } from './routes/expense-tasks.docs.js';
import { financialDocs } from './routes/financial.docs.js';
import { goalDocs } from './routes/goals.docs.js';
import { insightDocs } from './routes/insights.docs.js';
import { notificationDocs } from './routes/notifications.docs.js';
import { ocrDocs } from './routes/ocr.docs.js';
import { planDocs } from './routes/plan.routes.js';
import { recurringDocs } from './routes/recurring.docs.js';
import { ruleDocs } from './routes/rules.docs.js';
import { transactionDocs } from './routes/transactions.docs.js';
import { userDocs } from './routes/users.routes.js';
import { wellbeingDocs } from './routes/wellbeing.docs.js';

/** The whole API's OpenAPI description, assembled from the schemas each route module parses with. */
export function apiDocs(): ApiDocs {
  const docs = new ApiDocs();
  docs.add(
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      responses: { 200: { contentType: 'text/plain', description: 'Prometheus exposition format' } },
    },
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This document',
      responses: {
        200: {
          contentType: 'application/json',
          description: 'OpenAPI 3.1 document',
          schema: { type: 'object', required: ['openapi', 'info', 'paths'], additionalProperties: true },
        },
      },
    },
  );
  healthDocs(docs);
  authDocs(docs);
  userDocs(docs);
  budgetDocs(docs);
  engineDocs(docs);
  planDocs(docs);
  analyticsDocs(docs);
  transactionDocs(docs);
  expenseDocs(docs);
  taskDocs(docs);
  auditDocs(docs);
  ocrDocs(docs);
  notificationDocs(docs);
  ruleDocs(docs);
  insightDocs(docs);
  goalDocs(docs);
  recurringDocs(docs);
  financialDocs(docs);
  wellbeingDocs(docs);
  return docs;
}
