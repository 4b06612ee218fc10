/** Layer rules (ARCHITECTURE.md): dependencies point inward, the composition root sits on top. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain imports nothing outside src/domain: no other layer, no npm package, no node builtin.',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { pathNot: '^src/domain' },
    },
    {
      name: 'application-depends-on-domain-only',
      comment: 'src/application may import src/domain and libraries, never infrastructure or interfaces.',
      severity: 'error',
      from: { path: '^src/application' },
      to: { path: '^(src/(infrastructure|interfaces)|projections)' },
    },
    {
      name: 'interfaces-never-import-adapters',
      comment:
        'src/interfaces receive use cases from the container; they never import infrastructure directly.',
      severity: 'error',
      from: { path: '^src/interfaces' },
      to: { path: '^src/infrastructure' },
    },
    {
      name: 'composition-root-on-top',
      comment: 'src/composition builds the runtime; only the entry points (main, cli, server) may import it.',
      severity: 'error',
      from: { pathNot: '^src/(composition/|main\\.ts$|cli\\.ts$|server\\.ts$)' },
      to: { path: '^src/composition/' },
    },
    {
      name: 'only-the-root-picks-adapters',
      comment:
        'Adapters are chosen in src/composition: below the entry points nothing outside src/infrastructure imports it.',
      severity: 'error',
      from: {
        pathNot: '^src/(composition/|infrastructure/|main\\.ts$|cli\\.ts$|server\\.ts$)|^projections/',
      },
      to: { path: '^src/infrastructure/' },
    },
    {
      name: 'projections-use-only-the-contract',
      comment:
        'projections/ (schemas, writers, readers) import the domain, application ports (the projection contract ' +
        'src/application/ports/projection.port.ts among them), the event codecs and libraries: never ' +
        'infrastructure, interfaces or use cases.',
      severity: 'error',
      from: { path: '^projections' },
      to: { path: '^src/', pathNot: '^src/(domain|application/ports|application/events)/' },
    },
    {
      name: 'infrastructure-never-imports-projections',
      comment:
        'The projections are handed to the runner by the composition root, never imported by adapters.',
      severity: 'error',
      from: { path: '^src/infrastructure/' },
      to: { path: '^projections/' },
    },
    {
      name: 'projections-registry-from-the-root',
      comment: 'projections/index.ts (the list of read models) is read by the composition root only.',
      severity: 'error',
      from: { pathNot: '^(src/composition/|projections/)' },
      to: { path: '^projections/index\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
