import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: [
      'test/support/fast-check.ts',
      'test/support/unhandled-guard.ts',
      'test/support/file-end.setup.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on PostgreSQL, servers and timers, not the CPU: three at a time on two cores
    // (vitest's default there is one) keeps the suite inside CI's ten minutes.
    maxWorkers: 3,
    // Each worker runs its files one after another in one process: the app's modules (about five seconds
    // of imports per file) load once per worker instead of once per file. Per-file cleanup therefore
    // lives in a setup file (test/support/file-end.setup.ts), not in module state.
    isolate: false,
  },
});
