// `npm start` and `npm run web` run the programs from dist/. This builds dist/ first when it is missing or
// older than any source it is built from, so a fresh clone starts without a manual `npm run build` and an
// edited source is never served stale. The build takes a few seconds (esbuild + vite); an up-to-date dist/
// costs one walk over the sources' modification times.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** build.mjs writes it after a successful build, dated when that build started. */
const STAMP = path.join(root, 'dist', '.build-stamp');
const INPUTS = ['src-shared', 'src-server', 'src-agent', 'src-main', 'src-renderer', 'scripts/build.mjs', 'vite.config.ts', 'package.json', 'package-lock.json'];

function newestMtime(entry) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows only as its folder's change
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** Why dist/ must be built, or null when it is up to date. */
export function buildReason() {
  const stamp = statSync(STAMP, { throwIfNoEntry: false });
  if (!stamp) return existsSync(path.join(root, 'dist')) ? 'dist/ was not built by this checkout' : 'dist/ is missing';
  const newest = Math.max(...INPUTS.map((input) => newestMtime(path.join(root, input))));
  return newest > stamp.mtimeMs ? 'sources changed since the last build' : null;
}

/** Builds when needed; the build's output goes to stderr, since the hosts' stdout carries only their URL line. */
export function ensureBuilt() {
  const reason = buildReason();
  if (!reason) return true;
  process.stderr.write(`building the console (${reason})…\n`);
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  return build.status === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !ensureBuilt()) {
  process.stderr.write('the build failed (see above); fix it, or run `npm run build` to see it alone.\n');
  process.exit(1);
}
