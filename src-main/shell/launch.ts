/**
 * `npm start`: runs Electron on the built app, or says clearly why it cannot and what to run instead.
 * Plain Node, no 'electron' import. The binary is looked up the way the electron package does it
 * (node_modules/electron/path.txt → dist/<path>, or ELECTRON_OVERRIDE_DIST_PATH), but without
 * `require('electron')`: in Electron 45 that starts a download from GitHub when the binary is missing,
 * which hangs or fails on machines without GitHub access instead of answering.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot } from '../core/embedded-server.js';
import { PRELOAD_BUNDLE } from '../web/paths.js';

function electronBinary(): string | null {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null; // electron is not installed at all
  }
  // path.txt is written by the binary download: without it, there is no binary.
  const pathFile = path.join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? path.join(override, relative ?? 'electron') : relative && path.join(packageDir, 'dist', relative);
  return binary && existsSync(binary) ? binary : null;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const root = appRoot(path.dirname(fileURLToPath(import.meta.url)));
const binary = electronBinary();
if (!binary) {
  fail(
    [
      'npm start: the Electron binary is not installed on this machine, so the desktop console cannot start.',
      'Run the same console in your browser instead:',
      '',
      '    npm run web -- --demo',
      '',
      '(Electron downloads its binary from GitHub when installed; where GitHub is reachable,',
      '`node node_modules/electron/install.js` fetches it, then `npm start` works.)',
    ].join('\n'),
  );
}
const main = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string }).main;
for (const built of [main, PRELOAD_BUNDLE]) {
  if (!built || !existsSync(path.join(root, built))) fail(`npm start: ${built ?? 'package.json "main"'} is missing: run \`npm run build\` first.`);
}

// Electron reads package.json "main" from `root`; our flags (--demo, --data-dir DIR) pass through.
const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
