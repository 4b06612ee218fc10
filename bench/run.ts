import { benchBigdata } from './bigdata.js';
import { benchProjections } from './projections.js';

/** `npm run bench [-- <scenario>]`: every scenario, or only the one named. */
const SCENARIOS: Record<string, () => Promise<unknown>> = {
  projections: () => benchProjections(),
  bigdata: () => benchBigdata(),
};

try {
  const only = process.argv[2];
  if (only !== undefined && !(only in SCENARIOS))
    throw new Error(`unknown scenario ${only}: ${Object.keys(SCENARIOS).join(', ')}`);
  for (const [name, run] of Object.entries(SCENARIOS)) if (only === undefined || only === name) await run();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
