import { benchBigdata } from './bigdata.js';
import { benchCommands } from './commands.js';
import { benchGrowth } from './growth.js';
import { benchHttp } from './http.js';
import { benchProjections } from './projections.js';

/** `npm run bench [-- <scenario>…]`: the named scenarios, or all of them, one after another. */
const SCENARIOS: Record<string, () => Promise<unknown>> = {
  projections: benchProjections,
  http: benchHttp,
  growth: benchGrowth,
  commands: benchCommands,
  bigdata: benchBigdata,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SCENARIOS[name]);
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exitCode = 2;
} else {
  try {
    for (const name of wanted.length > 0 ? wanted : Object.keys(SCENARIOS)) {
      console.log(`\n== ${name}`);
      await (SCENARIOS[name] as () => Promise<unknown>)();
    }
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
