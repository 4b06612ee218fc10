/**
 * `npm run fuzz -- --runs 100000 [--seed N]`: the API fuzz test with more requests (FUZZ_RUNS) and,
 * when given, a seed to replay (FUZZ_SEED). Exits with vitest's code.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string' } },
});
if (!/^\d+$/.test(values.runs) || (values.seed !== undefined && !/^\d+$/.test(values.seed))) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed N]');
  process.exit(2);
}
const run = spawnSync('npx', ['vitest', 'run', 'test/fuzz/api-fuzz.test.ts', '--testTimeout', '0'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    FUZZ_RUNS: values.runs,
    ...(values.seed === undefined ? {} : { FUZZ_SEED: values.seed }),
  },
});
process.exit(run.status ?? 1);
