import { afterAll, afterEach, expect } from 'vitest';

type Work = () => Promise<void>;

// Module state outlives a file when vitest runs files in one process (isolate: false), so the hooks that
// drain it are registered per file by a setup file (file-end.setup.ts), not here at import.
const testApps: Work[] = [];
const fileApps: Work[] = [];
const databases: Work[] = [];

/**
 * Stops an app when the test that started it ends, or, for one started outside a test (a file's shared
 * app), when the file ends: a file of many tests does not keep every app's connections open at once.
 */
export function stopWhenDone(stop: Work): void {
  (expect.getState().currentTestName === undefined ? fileApps : testApps).push(stop);
}

/** Drops a database when the current test file ends, after every app has stopped. */
export function dropAtFileEnd(drop: Work): void {
  databases.push(drop);
}

/** Registers, for the file being set up, the hooks that run what its tests and the file left to do. */
export function cleanUpEveryFile(): void {
  afterEach(async () => {
    for (const stop of testApps.splice(0).reverse()) await stop();
  });
  afterAll(async () => {
    for (const stop of [...testApps.splice(0), ...fileApps.splice(0)].reverse()) await stop();
    for (const drop of databases.splice(0).reverse()) await drop();
  });
}
