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
