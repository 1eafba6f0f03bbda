/**
 * Which folders may import which (docs/architecture.md, "Import rules"). `npm test` runs this through
 * `npm run lint`; a forbidden import fails it. The tree keeps every rule: there is no list of
 * exceptions.
 */
const OURS = '^(src|dialogs|cards)/';
const SDKS =
  '(^|/)node_modules/(botbuilder|botframework-|restify|@azure/|@microsoft/microsoft-graph-client|better-sqlite3|@opentelemetry/)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module imports itself through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-inward',
      comment: 'The domain imports nothing of ours outside it, and no SDK.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        path: [OURS, SDKS],
        pathNot: '^src/domain/',
      },
    },
    {
      name: 'use-cases-tell-the-story',
      comment: 'Use cases import the domain and other use cases only, and no SDK: they run on ports.',
      severity: 'error',
      from: { path: '^src/useCases/' },
      to: { path: [OURS, SDKS], pathNot: '^src/(useCases|domain)/' },
    },
    {
      name: 'lib-stands-alone',
      comment: 'Shared helpers (compare-and-set documents) import only the domain.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: OURS, pathNot: '^src/(lib|domain)/' },
    },
    {
      name: 'telemetry-stands-alone',
      comment: 'Telemetry (spans, metrics, the exporter) imports nothing of ours: everyone may use it.',
      severity: 'error',
      from: { path: '^src/telemetry/' },
      to: { path: OURS, pathNot: '^src/telemetry/' },
    },
    {
      name: 'telemetry-starts-at-the-root',
      comment:
        'Only the composition root (and the tools) start the exporter; the rest make spans and metrics.',
      severity: 'error',
      from: { path: OURS, pathNot: '^src/(index\\.ts$|runtime/|tools/|telemetry/)' },
      to: { path: '^src/telemetry/azureMonitor\\.ts$' },
    },
    {
      name: 'cards-draw-the-domain',
      comment: 'Card code imports only cards and the domain.',
      severity: 'error',
      from: { path: '^cards/' },
      to: { path: OURS, pathNot: '^(cards|src/domain)/' },
    },
    {
      name: 'simulator-stands-alone',
      comment: 'The simulator imports only itself: it plays Microsoft 365, not the bot.',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: OURS, pathNot: '^src/simulator/' },
    },
    {
      name: 'simulator-from-the-root',
      comment: 'Only the composition root, the settings, the tools and tests start or name the simulator.',
      severity: 'error',
      from: { path: OURS, pathNot: '^src/(simulator/|index\\.ts$|runtime/|config(/|\\.ts$)|tools/)' },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'adapters-serve-the-domain',
      comment:
        'Adapters import the domain, other adapters, shared helpers, telemetry and the logger, nothing else of ours.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: OURS, pathNot: '^src/(adapters/|domain/|lib/|telemetry/|logger\\.ts$)' },
    },
    {
      name: 'adapters-from-the-root',
      comment: 'Only the composition root (and the tools) picks adapters; everything else sees ports.',
      severity: 'error',
      from: { path: OURS, pathNot: '^src/(adapters/|index\\.ts$|runtime/|tools/)' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'teams-code-calls-use-cases',
      comment:
        'Teams code (handlers, dialogs, what the bot says in Teams) never reaches into adapters or jobs.',
      severity: 'error',
      from: { path: '^(src/bot|src/teams|dialogs)/' },
      to: { path: '^src/(adapters|jobs|runtime)/' },
    },
    {
      name: 'jobs-stay-off-teams',
      comment: 'Jobs turn work into use cases: never Teams code, cards, adapters or the composition root.',
      severity: 'error',
      from: { path: '^src/jobs/' },
      to: { path: '^(src/bot|src/teams|dialogs|cards|src/adapters|src/runtime)/' },
    },
    {
      name: 'only-the-root-reads-config',
      comment: 'Settings reach code as values from the composition root.',
      severity: 'error',
      from: { path: OURS, pathNot: '^src/(index\\.ts$|runtime/|config(/|\\.ts$)|tools/)' },
      to: { path: '^src/config(/|\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: '^dist/' },
  },
};
