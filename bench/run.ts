import { benchBigdata } from './bigdata.js';
import { benchCommands } from './commands.js';
import { benchFreshness } from './freshness.js';
import { benchGrowth } from './growth.js';
import { benchHttp } from './http.js';
import { benchProjections } from './projections.js';
import { machine, writeResult } from './support/report.js';

/**
 * `npm run bench [-- <scenario>…]`: the named scenarios, or all of them, one after another. Each prints
 * its table; bench/results/<name>.json gets its figures with the machine's description (scenarios that
 * return no figures write their own).
 */
const SCENARIOS: Record<string, () => Promise<unknown>> = {
  commands: benchCommands,
  growth: benchGrowth,
  http: benchHttp,
  freshness: () => benchFreshness(),
  projections: () => benchProjections(),
  bigdata: () => benchBigdata(),
};
const WRITE_THEIR_OWN = new Set(['commands', 'growth', 'http', 'bigdata']);

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exitCode = 2;
} else {
  for (const name of wanted.length > 0 ? wanted : Object.keys(SCENARIOS)) {
    console.log(`\n== ${name}`);
    try {
      const figures = await (SCENARIOS[name] as () => Promise<unknown>)();
      if (!WRITE_THEIR_OWN.has(name)) writeResult(name, { scenario: name, ...machine(), figures });
    } catch (error) {
      console.error(error);
      process.exitCode = 1;
    }
  }
}
