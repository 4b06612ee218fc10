import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: dependencies taken away under load (throwaway PostgreSQL clusters on ports
 * 5491–5495, a Redis on 6391, Daybook as a child process). One file at a time: they time requests.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    setupFiles: ['test/support/unhandled-guard.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
