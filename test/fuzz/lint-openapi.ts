/**
 * `npm run check` step: the document the server serves, generated without starting it, linted by Redocly
 * (recommended rules, offline). Exits with Redocly's code: any error fails the check.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiDocs } from '../../src/interfaces/http/api-docs.js';

const dir = mkdtempSync(join(tmpdir(), 'daybook-openapi-'));
const file = join(dir, 'openapi.json');
writeFileSync(file, JSON.stringify(apiDocs().document(), null, 2));
const lint = spawnSync('npx', ['--no-install', 'redocly', 'lint', '--format', 'summary', file], {
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
rmSync(dir, { recursive: true, force: true });
process.exit(lint.status ?? 1);
