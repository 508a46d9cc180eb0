// Builds every program into dist/: the server and agent CLIs as single ESM files (npm packages stay
// external, so native modules load from node_modules), and — once they exist — the console's main
// process and renderer. One script so `npm run build` means the same thing everywhere.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  ['src-server/cli.ts', 'dist/server/cli.js'],
  ['src-agent/cli.ts', 'dist/agent/cli.js'],
].filter(([entry]) => existsSync(entry));

await Promise.all(
  entries.map(([entry, outfile]) =>
    build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      banner: { js: '#!/usr/bin/env node' },
    }),
  ),
);
console.log(`built ${entries.map(([, out]) => out).join(', ')}`);
