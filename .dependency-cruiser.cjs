/**
 * Dependencies point inward: handlers and bot-host → domain ← adapters.
 * `npm run lint` fails when a change breaks that.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'functions/domain has no I/O: it may import only itself, the ports and pure libraries.',
      severity: 'error',
      from: { path: '^functions/domain' },
      to: {
        pathNot: ['^functions/domain', '^functions/ports', 'node_modules/(zod|yaml|fastest-levenshtein)/'],
      },
    },
    {
      name: 'domain-no-node-io',
      severity: 'error',
      from: { path: '^functions/domain' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'ports-are-interfaces',
      comment: 'ports describe what the domain needs; they never import adapters or runtimes.',
      severity: 'error',
      from: { path: '^functions/ports' },
      to: { pathNot: ['^functions/ports', '^functions/domain'] },
    },
    {
      name: 'adapters-do-not-know-runtimes',
      severity: 'error',
      from: { path: '^functions/adapters' },
      to: { path: ['^bot-host', '^functions/handlers', '^bin'] },
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
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
}
