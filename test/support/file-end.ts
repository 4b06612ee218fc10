import { afterAll, onTestFinished } from 'vitest';

type Work = () => Promise<void>;

// Module state outlives a file when vitest runs files in one process (isolate: false), so the hook that
// drains it is registered per file by a setup file (file-end.setup.ts), not here at import.
const fileApps: Work[] = [];
const databases: Work[] = [];

/**
 * Stops an app when the test that started it ends, or, for one started outside a test (a file's shared
 * app), when the file ends: a file of many tests does not keep every app's connections open at once.
 */
export function stopWhenDone(stop: Work): void {
  try {
    onTestFinished(stop);
  } catch {
    // Not inside a test (vitest says so by throwing).
    fileApps.push(stop);
  }
}

/** Drops a database when the current test file ends, after every app has stopped. */
export function dropAtFileEnd(drop: Work): void {
  databases.push(drop);
}

/** Registers, for the file being set up, the hook that runs what the file left to do. */
export function cleanUpEveryFile(): void {
  afterAll(async () => {
    for (const stop of fileApps.splice(0).reverse()) await stop();
    for (const drop of databases.splice(0).reverse()) await drop();
  });
}
