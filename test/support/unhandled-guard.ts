import { afterAll, afterEach } from 'vitest';

/**
 * Fails the test during which a promise rejection went unhandled or an exception went uncaught (in
 * production the process guard only logs and counts them, so a test is where they must be found).
 * Vitest also fails the run for them, after the fact and without naming the test; this names it.
 */
const caught: unknown[] = [];
const record = (error: unknown) => {
  caught.push(error);
};
process.on('unhandledRejection', record);
process.on('uncaughtException', record);

afterEach(() => {
  if (caught.length === 0) return;
  const errors = caught.splice(0);
  const first = errors[0] instanceof Error ? errors[0].stack : String(errors[0]);
  throw new AggregateError(errors, `${errors.length} unhandled rejection(s) or exception(s): ${first}`);
});

afterAll(() => {
  process.off('unhandledRejection', record);
  process.off('uncaughtException', record);
});
