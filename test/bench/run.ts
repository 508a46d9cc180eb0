// `npm run bench [-- name...]`: runs the named benchmarks (all by default) and prints their figures.
// Figures, not assertions: speed is reported here and never asserted in tests. Each bench is loaded
// only when it runs, so `npm run bench -- server` does not load a browser driver.

// The UI bench passes functions to the page and so needs the DOM's types: test/e2e/tsconfig.json checks
// it. A computed specifier keeps it out of the root (Node-only) program.
const UI_BENCH: string = './ui-customers.js';

const BENCHES: Record<string, () => Promise<void>> = {
  server: async () => (await import('./server-list.js')).benchServerList(),
  console: async () => (await import('./console-offline.js')).benchConsoleOffline(),
  agent: async () => (await import('./agent-vs-restic.js')).benchAgentVsRestic(),
  // Issue 12's seed migration runs as a stage of the replication bench, on its servers and data set.
  replication: async () => (await import('./replication.js')).benchReplication((await import('./seed-migration.js')).benchSeedMigration),
  invoicing: async () => (await import('./invoicing.js')).benchInvoicing(),
  retention: async () => (await import('./retention.js')).benchRetention(),
  ui: async () => ((await import(UI_BENCH)) as { benchUiCustomers: () => Promise<void> }).benchUiCustomers(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(1);
}
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`\n=== ${name} ===`);
  await BENCHES[name]!();
}
