// Builds every program into dist/: the server, agent and browser-host CLIs and the Electron main process
// as ESM bundles, the preload as the CommonJS file a sandboxed preload must be, and the renderer with
// Vite. Only native modules (and electron) stay external: bundling the pure-JS dependencies roughly
// halves module loading at start-up, which is most of a cold start. pdfkit stays external too: it loads
// its standard fonts at run time through its own package.json's `#standard-fonts/*` imports, which a
// bundle outside its package cannot resolve.
import { build } from 'esbuild';
import { utimesSync, writeFileSync } from 'node:fs';
import { build as viteBuild } from 'vite';

const EXTERNAL = ['better-sqlite3', 'keytar', 'zstd-napi', 'electron', 'pdfkit'];
const node = (entry, outfile, extra = {}) => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  sourcemap: true,
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  ...extra,
});

const started = new Date();
await Promise.all([
  build(node('src-server/cli.ts', 'dist/server/cli.js')),
  // The server's pack verifier threads load this file from next to cli.js (src-server/dataplane/pack-verifier.ts).
  build(node('src-server/dataplane/pack-verifier-thread.ts', 'dist/server/pack-verifier-thread.js')),
  build(node('src-agent/cli.ts', 'dist/agent/cli.js')),
  // The agent's chunking thread loads this file from next to cli.js (src-agent/chunk-offload.ts).
  build(node('src-agent/chunk-thread.ts', 'dist/agent/chunk-thread.js')),
  build(node('src-main/web/cli.ts', 'dist/main/web.js')),
  build(node('src-main/shell/main.ts', 'dist/main/shell.js')),
  build(node('src-main/shell/launch.ts', 'dist/main/launch.js')),
  build({ entryPoints: ['src-main/shell/preload.ts'], outfile: 'dist/main/preload.cjs', bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['electron'] }),
  viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' }),
]);
// scripts/ensure-built.mjs compares the sources with this stamp; dated at the start, so that a source
// saved during the build counts as newer than it.
writeFileSync('dist/.build-stamp', '');
utimesSync('dist/.build-stamp', started, started);
console.log('built dist/server, dist/agent, dist/main, dist/renderer');
