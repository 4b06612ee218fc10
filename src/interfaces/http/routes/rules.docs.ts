import { z } from 'zod';
import type { ApiDocs } from '../openapi.js';
import { ruleBody, ruleChangeBody, ruleOut, ruleParams } from './rules.routes.js';

/** OpenAPI descriptions of /api/rules. */
export const ruleDocs = (docs: ApiDocs) =>
  docs.add(
    {
      method: 'get',
      path: '/api/rules',
      summary: 'Your categorization rules (those you wrote and those learned from your corrections)',
      scope: 'read:transactions',
      responses: { 200: z.object({ items: z.array(ruleOut) }) },
    },
    {
      method: 'post',
      path: '/api/rules',
      summary: 'Add a rule: expenses whose merchant/description matches the pattern get its category',
      scope: 'write:transactions',
      body: ruleBody,
      errors: ['invalid-rule', 'invalid-category'],
      responses: { 201: ruleOut },
    },
    {
      method: 'put',
      path: '/api/rules/:id',
      summary: 'Change a rule',
      scope: 'write:transactions',
      params: ruleParams,
      body: ruleChangeBody,
      errors: ['invalid-rule', 'invalid-category', 'rule-not-found'],
      responses: { 200: ruleOut },
    },
    {
      method: 'delete',
      path: '/api/rules/:id',
      summary: 'Remove a rule',
      scope: 'write:transactions',
      params: ruleParams,
      errors: ['rule-not-found'],
      responses: { 204: undefined },
      responseHeaders: { 'Daybook-Position': { description: 'Where the removal landed in the log' } },
    },
  );
