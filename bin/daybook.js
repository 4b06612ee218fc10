#!/usr/bin/env node
// `daybook <command>` (`npx daybook …` in the repository, `daybook …` in the Docker image). In a
// checkout with the sources and tsx installed it runs src/ through tsx inside this process, so it is
// always the code being edited and no wrapper process sits between the shell and the CLI (signals and
// exit codes are the CLI's own); elsewhere (the image: no src/, no devDependencies) it runs dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if (error.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

const loader = existsSync(source) ? await tsx() : undefined;
if (loader) {
  loader.register();
  await import(source.href);
} else {
  await import(new URL('../dist/src/cli.js', import.meta.url).href);
}
