import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { benchFreshness } from './freshness.js';
import { benchProjections } from './projections.js';

/**
 * `npm run bench [-- <scenario>...]`: runs the named scenarios (all without a name). Each prints its
 * table and returns its figures, written with the machine's description to bench/results/<name>.json.
 */
const SCENARIOS: Record<string, () => Promise<object>> = {
  projections: () => benchProjections(),
  freshness: () => benchFreshness(),
};

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const results = new URL('./results/', import.meta.url);
for (const name of wanted.length > 0 ? wanted : Object.keys(SCENARIOS)) {
  try {
    const load = os.loadavg()[0];
    const figures = await (SCENARIOS[name] as () => Promise<object>)();
    await mkdir(results, { recursive: true });
    const report = {
      scenario: name,
      date: new Date().toISOString(),
      machine: os.cpus()[0]?.model,
      cores: os.cpus().length,
      node: process.version,
      loadAverage: { before: load, after: os.loadavg()[0] },
      figures,
    };
    await writeFile(new URL(`${name}.json`, results), `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
