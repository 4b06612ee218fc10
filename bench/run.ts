import { benchProjections } from './projections.js';

/** `npm run bench`: the projection rebuild benchmark (see bench/projections.ts for its settings). */
try {
  await benchProjections();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
