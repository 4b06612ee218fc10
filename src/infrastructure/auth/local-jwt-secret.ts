import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging/logger.js';

/** Without JWT_SECRET, a random secret is kept in the data folder so tokens survive a restart. */
export async function localJwtSecret(dataDir: string, logger: Logger): Promise<string> {
  const file = path.resolve(dataDir, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(path.dirname(file), { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, secret, { mode: 0o600 });
    await chmod(file, 0o600);
    logger.warn({ file }, 'JWT_SECRET not set: generated a local secret (set JWT_SECRET in production)');
    return secret;
  }
}
