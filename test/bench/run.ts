// `npm run bench [-- name...]`: runs the named benchmarks (all by default) and prints their figures.
// Figures, not assertions: speed is reported here and never asserted in tests.
import { benchConsoleOffline } from './console-offline.js';
import { benchServerList } from './server-list.js';

const BENCHES: Record<string, () => Promise<void>> = {
  server: benchServerList,
  console: benchConsoleOffline,
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
