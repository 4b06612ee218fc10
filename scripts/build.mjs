// `npm run build`: src/ and projections/ to JavaScript in dist/, one file per module (same layout, so
// the `import.meta.url`-relative reads of migrations and projection schemas find their .sql next to
// them). esbuild only strips types (the code is written for `isolatedModules`): it takes well under a
// second, so `npm start` can build every time; type checking is `npm run check`'s job (tsc).
import { cp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = path.join(root, 'dist');
const SOURCES = ['src', 'projections'];

const filesOf = async (dir) =>
  (await readdir(path.join(root, dir), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));

await rm(outdir, { recursive: true, force: true });
const files = (await Promise.all(SOURCES.map(filesOf))).flat();
await build({
  entryPoints: files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')),
  outdir,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const file of files.filter((f) => f.endsWith('.sql')))
  await cp(path.join(root, file), path.join(outdir, file));
