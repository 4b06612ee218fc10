import { spawn } from 'node:child_process';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run daybook -- <args>` as an operator runs it (a process of its own), against `databaseUrl`. */
export function runDaybookCli(
  args: readonly string[],
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        JWT_SECRET: 'cli-test-secret-cli-test-secret-0123456',
        LOG_LEVEL: 'silent',
        // On a machine busy with the rest of the suite, connecting can outlast the production bound.
        PG_CONNECT_TIMEOUT_MS: '10000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
