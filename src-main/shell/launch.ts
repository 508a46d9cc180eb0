/**
 * `npm start`: runs Electron on the built app; where Electron cannot start (no binary, no display), says why
 * and runs the browser host instead, which prints the URL to open.
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
import { PRELOAD_BUNDLE, WEB_BUNDLE } from '../web/paths.js';

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

/** The Electron binary to run, or why Electron cannot open a window here (as far as can be told without starting it). */
function desktop(): { binary: string } | { reason: string } {
  const binary = electronBinary();
  if (!binary) return { reason: 'the Electron binary is not installed on this machine (it is downloaded from GitHub on the first desktop launch)' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  return { binary };
}

/** Runs a built program with our flags, forwarding signals, and exits with its code. */
function runChild(command: string, args: readonly string[]): void {
  const child = spawn(command, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const root = appRoot(path.dirname(fileURLToPath(import.meta.url)));
const target = desktop();
if ('reason' in target) {
  // The same console, in a browser: the web host prints `console <url>` once it serves.
  console.error(`npm start: the desktop console cannot start because ${target.reason}.`);
  console.error('Starting the browser host instead: open the `console http://127.0.0.1:…` address it prints below in a browser on this machine.');
  runChild(process.execPath, [path.join(root, WEB_BUNDLE)]);
} else {
  const main = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string }).main;
  for (const built of [main, PRELOAD_BUNDLE]) {
    if (!built || !existsSync(path.join(root, built))) fail(`npm start: ${built ?? 'package.json "main"'} is missing: run \`npm run build\` first.`);
  }
  // Electron reads package.json "main" from `root`; our flags (--demo, --data-dir DIR) pass through.
  console.error('npm start: opening the desktop console (Electron).');
  runChild(target.binary, [root]);
}
