import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (mode: 'reject' | 'throw') =>
  new Promise<{ code: number | null; messages: string[] }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/support/guarded-process.ts', mode],
      (error, stdout) => {
        const messages = stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { msg: string }).msg);
        resolve({ code: error ? (error.code as number) : 0, messages });
      },
    );
  });

describe('the process guard of the entry point', () => {
  it('logs an unhandled rejection as a defect and keeps the process serving', async () => {
    const { code, messages } = await run('reject');
    expect(messages).toEqual(['defect: unhandled promise rejection; still serving', 'still serving']);
    expect(code).toBe(0);
  });

  it('logs an uncaught exception and stops the process with a non-zero code', async () => {
    const { code, messages } = await run('throw');
    expect(messages).toEqual(['defect: uncaught exception']);
    expect(code).toBe(1);
  });
});
