import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/infrastructure/postgres/migrate.js';
import { dropAtFileEnd } from './file-end.js';

/**
 * A fresh, migrated database of its own for the calling test file (dropped after it, whether its tests
 * passed or not), so files run in parallel against one server without seeing each other's rows.
 */
export async function testDatabase(
  options: { migrate?: boolean } = {},
): Promise<{ url: string; pool: pg.Pool }> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `daybook_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 20 });
  if (options.migrate !== false) await migrate(pool);
  dropAtFileEnd(async () => {
    // Idle connections may still be closing when the database is dropped: their notice is not an error.
    pool.on('error', () => undefined);
    await pool.end();
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await dropper.end();
  });
  return { url: url.toString(), pool };
}
