/**
 * Which folders may import which (docs/architecture.md, "Import rules"). `npm test` runs this through
 * `npm run lint`; a forbidden import fails it. Imports that break a rule today and are still to be
 * moved are listed one by one in .dependency-cruiser-known-violations.json: a new one is not.
 */
const OURS = '^(src|dialogs|cards)/';

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
        path: [
          `${OURS}`,
          '(^|/)node_modules/(botbuilder|botframework-|restify|@azure/|@microsoft/microsoft-graph-client)',
        ],
        pathNot: '^src/domain/',
      },
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
      comment: 'Adapters import the domain, other adapters and the logger, nothing else of ours.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: OURS, pathNot: '^src/(adapters/|domain/|logger\\.ts$)' },
    },
    {
      name: 'teams-code-calls-use-cases',
      comment: 'Teams handlers and dialogs never reach into adapters or jobs.',
      severity: 'error',
      from: { path: '^(src/bot|dialogs)/' },
      to: { path: '^src/(adapters|jobs)/' },
    },
    {
      name: 'jobs-stay-off-teams',
      comment: 'Job handlers never import Teams handlers or dialogs.',
      severity: 'error',
      from: { path: '^src/jobs/' },
      to: { path: '^(src/bot|dialogs)/' },
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
