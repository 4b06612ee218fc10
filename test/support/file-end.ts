import { afterAll } from 'vitest';

type Work = () => Promise<void>;

// Module state outlives a file when vitest runs files in one process (isolate: false), so the hook that
// drains it is registered per file by a setup file (file-end.setup.ts), not here at import.
const apps: Work[] = [];
const databases: Work[] = [];

/** Stops an app when the current test file ends, before its databases are dropped. */
export function stopAtFileEnd(stop: Work): void {
  apps.push(stop);
}

/** Drops a database when the current test file ends, after every app has stopped. */
export function dropAtFileEnd(drop: Work): void {
  databases.push(drop);
}

/** Registers, for the file being set up, the hook that runs what the file left to do. */
export function endEveryFile(): void {
  afterAll(async () => {
    for (const stop of apps.splice(0).reverse()) await stop();
    for (const drop of databases.splice(0).reverse()) await drop();
  });
}
