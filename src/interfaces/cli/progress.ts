import type { Output } from './output.js';

/** How often a progress line is printed at most. */
const EVERY_MS = 1000;

/**
 * Progress lines on stderr for the long commands (import, restore, export, verify, backup): shown when
 * stderr is a terminal or with --progress, at most once a second, with the rate since the start.
 */
export function progressLine(out: Output, enabled: boolean) {
  const started = Date.now();
  let last = 0;
  return {
    report(what: string, events: number, force = false): void {
      const now = Date.now();
      if (!enabled || (!force && now - last < EVERY_MS)) return;
      last = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0 ? Math.round(events / seconds) : 0;
      out.error(
        `${what} ${events.toLocaleString('en')} event(s), ${seconds.toFixed(1)} s, ${rate.toLocaleString('en')} events/s`,
      );
    },
  };
}

/** Whether to show progress: asked for, or stderr is a terminal. */
export const wantsProgress = (asked: boolean | undefined): boolean =>
  asked === true || Boolean(process.stderr.isTTY);
