import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';

const { api } = await startTestApp();

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3 document at /openapi.json and Swagger UI at /docs', async () => {
    const res = await api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const validated = (await SwaggerParser.validate(structuredClone(res.body))) as { openapi?: string };
    expect(validated.openapi).toMatch(/^3\./);
    const docs = await api('GET', '/docs/');
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toContain('swagger-ui');
  });
});
