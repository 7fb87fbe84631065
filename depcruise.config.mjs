// The API's layers (docs/architecture.md, "Layers"), enforced by `pnpm lint`:
//   config, common, database, queues   infrastructure: imports nothing of the app above it
//   integrations/                      Kommo, AI providers, outbound HTTP: no domain, no entry points
//   domain/                            installations, fields, plans, templates, requests, staff
//   http/, jobs/                       entry points: routes and queue consumers
// Root files (app.module, worker.module, main, worker, bootstrap/, cli/) compose everything.
const SRC = '^apps/api/src/';
const INFRA = `${SRC}(config|common|database|queues)/`;
const ENTRY = `${SRC}(http|jobs|bootstrap|cli)/|${SRC}(app|worker)\\.module\\.ts$|${SRC}(main|worker)\\.ts$`;

export default {
  forbidden: [
    {
      name: 'infrastructure-imports-app',
      comment: 'config, common, database and queues sit below every module: they import none.',
      severity: 'error',
      // The entity list is the one place the data source learns the modules' entities.
      from: { path: INFRA, pathNot: `${SRC}database/entities\\.ts$` },
      to: { path: `${SRC}(integrations|domain)/|${ENTRY}` },
    },
    {
      name: 'integration-imports-domain',
      comment:
        'An integration talks to one outside service and knows no domain module or entry point.',
      severity: 'error',
      from: { path: `${SRC}integrations/` },
      to: { path: `${SRC}domain/|${ENTRY}` },
    },
    {
      name: 'domain-imports-entry',
      comment: 'The domain is called by routes and consumers, never the other way round.',
      severity: 'error',
      from: { path: `${SRC}domain/` },
      to: { path: ENTRY },
    },
    {
      name: 'entry-imports-entry',
      comment: 'Routes and queue consumers share code through the domain, not through each other.',
      severity: 'error',
      from: { path: `${SRC}http/` },
      to: { path: `${SRC}jobs/` },
    },
    {
      name: 'entry-imports-entry-jobs',
      comment: 'Routes and queue consumers share code through the domain, not through each other.',
      severity: 'error',
      from: { path: `${SRC}jobs/` },
      to: { path: `${SRC}http/` },
    },
    {
      name: 'module-cycle',
      comment:
        'Two modules that import each other are one module, or one of them holds the wrong code.',
      severity: 'error',
      scope: 'folder',
      from: { path: `${SRC}` },
      to: { circular: true },
    },
    {
      name: 'file-cycle',
      severity: 'error',
      from: { path: `${SRC}` },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    // TypeScript resolution without tsconfig paths: the API imports relatively.
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
