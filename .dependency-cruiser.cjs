/**
 * Folder rules of the project (docs/architecture.md), checked by `npm test` (`npm run lint:deps`).
 * Core folders hold pure code over ports; adapters hold one technology each; composition roots wire them.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const CORE = '^(builder|api|sensors|agent)/';
const ADAPTERS = '^(aws|sqlite|platform|hardware|systemd|mqtt|prometheus)/';
const COMPOSITION = '^(pi|cloud|cli|bench|local)/';
const IO_MODULES = '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|tls|worker_threads)$|^better-sqlite3$|^@aws-sdk/|^i2c-bus$|^onoff$|^node-cron$|^mqtt$|^prom-client$';

module.exports = {
  forbidden: [
    {
      name: 'no-module-cycles',
      severity: 'error',
      comment: 'A module must not reach itself through its imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      scope: 'folder',
      comment: 'Folders form a layered graph: no two folders may import each other, directly or around a loop.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-does-no-io',
      severity: 'error',
      comment: 'builder/, api/, sensors/ and agent/ are pure: I/O goes through a port whose adapter lives in an adapter folder.',
      // The importer's file reader (agent/import/input-files.ts) is the one agent module that reads files.
      from: { path: CORE, pathNot: '^agent/import/input-files\\.ts$' },
      to: { path: IO_MODULES },
    },
    {
      name: 'builder-is-the-innermost-layer',
      severity: 'error',
      comment: 'builder/ (the window/granularity matrix, types, ports, the build) imports only builder/.',
      from: { path: '^builder/' },
      to: { path: '^(?!builder/)[^/]+/' , pathNot: '^node_modules/' },
    },
    {
      name: 'api-core-sees-only-builder',
      severity: 'error',
      comment: 'The API core (api/) is one fetch-shaped function over ports; it depends on builder/ only.',
      from: { path: '^api/' },
      to: { path: '^(?!api/|builder/)[^/]+/', pathNot: '^node_modules/' },
    },
    {
      name: 'sensors-see-only-builder',
      severity: 'error',
      comment: 'Drivers (sensors/) depend on their own ports and builder/ (Clock, metrics): never on agent/ or an adapter.',
      from: { path: '^sensors/' },
      to: { path: '^(?!sensors/|builder/)[^/]+/', pathNot: '^node_modules/' },
    },
    {
      name: 'agent-core-wires-nothing',
      severity: 'error',
      comment: "The agent's policies see builder/, sensors/ and agent/ only; the composition root (pi/) gives them adapters.",
      from: { path: '^agent/' },
      to: { path: '^(?!agent/|builder/|sensors/)[^/]+/', pathNot: '^node_modules/' },
    },
    {
      name: 'adapters-do-not-compose',
      severity: 'error',
      comment: 'An adapter implements a core port; it never imports a composition root or another runtime.',
      from: { path: ADAPTERS },
      to: { path: COMPOSITION },
    },
    {
      name: 'the-page-sees-only-shared-core',
      severity: 'error',
      comment: 'The browser bundle (web/src) may include builder/ constants, types and metrics, nothing with Node in it.',
      from: { path: '^web/src/' },
      to: { path: '^(?!web/|builder/)[^/]+/', pathNot: '^node_modules/' },
    },
    {
      name: 'the-pi-does-not-run-lambda-code',
      severity: 'error',
      comment: "The Pi's composition (pi/) and the Lambda entries (cloud/) share core and adapters, never each other.",
      from: { path: '^pi/' },
      to: { path: '^cloud/' },
    },
    {
      name: 'lambda-code-does-not-run-the-pi',
      severity: 'error',
      comment: "The Lambda entries (cloud/) and the Pi's composition (pi/) share core and adapters, never each other.",
      from: { path: '^cloud/' },
      to: { path: '^pi/' },
    },
    {
      name: 'production-code-does-not-import-tests',
      severity: 'error',
      from: { path: '^(builder|api|sensors|agent|aws|sqlite|platform|hardware|systemd|mqtt|prometheus|pi|cloud|cli|web/src)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|var|web/dist|cdk\.out|test/fixtures|test-artifacts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // conditionNames: resolve packages' subpath exports (`csv-parse/sync`) as Node's ESM loader does.
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'] },
    moduleSystems: ['es6'],
  },
};
