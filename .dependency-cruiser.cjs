/** Layer rules from DESIGN.md section 2: dependencies point inward. */
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
        'The runner knows projections only through the contract; the composition root hands it PROJECTIONS. ' +
        'container.ts is that root until it moves to src/composition (issue 14 step 1).',
      severity: 'error',
      from: { path: '^src/infrastructure', pathNot: '^src/infrastructure/container\\.ts$' },
      to: { path: '^projections' },
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
