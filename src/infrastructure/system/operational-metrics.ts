import { Counter, register } from 'prom-client';

// Process-wide counters live in prom-client's default registry, which /metrics serves next to the app's
// own: they are made once per process, however many apps a test process starts.

/** Unhandled rejections and uncaught exceptions: each one is a bug to fix. */
export const defects = new Counter({
  name: 'daybook_defects_total',
  help: 'Unhandled promise rejections and uncaught exceptions caught by the process guard',
  labelNames: ['kind'],
  registers: [register],
});

/** Connection losses and background failures of a dependency (the process stays up through them). */
export const dependencyErrors = new Counter({
  name: 'daybook_dependency_errors_total',
  help: 'Errors reported by a dependency connection or a background client (PostgreSQL, pg-boss, Redis)',
  labelNames: ['dependency'],
  registers: [register],
});
