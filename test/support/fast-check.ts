import fc from 'fast-check';

/**
 * Property runs: FC_NUM_RUNS (default 1000). FC_SEED replays a failure: fast-check prints the seed and
 * path of every counterexample; rerun with FC_SEED=<seed> to get the same one.
 */
export const numRuns = Number(process.env.FC_NUM_RUNS ?? 1000);
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

fc.configureGlobal({ numRuns, ...(seed === undefined ? {} : { seed }), verbose: 1 });
