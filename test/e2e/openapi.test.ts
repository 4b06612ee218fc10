import SwaggerParser from '@apidevtools/swagger-parser';
import type { Express } from 'express';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';

const { api } = await startTestApp();

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** Every (METHOD path) express serves, with mount prefixes, in OpenAPI's `{param}` form. */
export function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          found.push(`${method.toUpperCase()} ${(prefix + layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found.sort();
}

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3 document at /openapi.json and Swagger UI at /docs', async () => {
    const res = await api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const validated = await SwaggerParser.validate(structuredClone(res.body));
    expect(validated.openapi).toMatch(/^3\./);
    const docs = await api('GET', '/docs/');
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toContain('swagger-ui');
  });
});
