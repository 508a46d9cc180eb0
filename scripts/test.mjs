// `npm test [-- vitest args]`: the whole test suite on any machine with Node ≥ 20, CI's included
// (.ci/run runs exactly this). Plain Node, no dependency, because it runs before node_modules exists:
// 1. the system packages the tests need: installed when missing where it can (root with apt-get),
//    otherwise it stops at once with one line naming them — never a wall of test failures;
// 2. node_modules: `npm ci` when missing or older than package-lock.json; the optional keychain module
//    (keytar) installed or rebuilt when it is missing now that libsecret's headers are there;
// 3. without arguments, typecheck and lint; then vitest inside a private D-Bus session with an unlocked
//    gnome-keyring (the keychain tests use a real Secret Service), with the given arguments;
// 4. one closing line `N passed, N failed` (a failed typecheck or lint counts as one failure each).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vitestArgs = process.argv.slice(2);
const REPORT = path.join(root, '.vitest-report.json');

/** Each Debian package the tests use, and how to tell it is there on a machine without dpkg. */
const SYSTEM_PACKAGES = [
  { name: 'chromium', present: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
  { name: 'dbus', present: () => onPath('dbus-run-session') },
  { name: 'gnome-keyring', present: () => onPath('gnome-keyring-daemon') },
  { name: 'libsecret-1-dev', present: () => run('pkg-config', ['--exists', 'libsecret-1'], { quiet: true }) },
  { name: 'restic', present: () => onPath('restic') },
];

function run(command, args, { quiet = false, env = process.env } = {}) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: quiet ? 'ignore' : 'inherit' });
  return result.status === 0;
}

function onPath(command) {
  return run('sh', ['-c', `command -v ${command}`], { quiet: true });
}

function installed(name) {
  const status = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return status.status === 0 && status.stdout.includes('ok installed');
}

function ensureSystemPackages() {
  const hasDpkg = onPath('dpkg-query');
  const missing = SYSTEM_PACKAGES.filter((p) => !(hasDpkg ? installed(p.name) : p.present())).map((p) => p.name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    console.error(`npm test: missing system packages: ${missing.join(' ')} — install them (sudo apt-get install ${missing.join(' ')}), then run npm test again.`);
    process.exit(1);
  }
  console.error(`npm test: installing ${missing.join(' ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update', '-qq'], { env }) || !run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env })) {
    console.error(`npm test: apt-get could not install ${missing.join(' ')}; install them by hand, then run npm test again.`);
    process.exit(1);
  }
}

function mtime(file) {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

function ensureNodeModules() {
  // Electron 45 downloads its binary on first launch, not on install; the variable guards older versions.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  const installedLock = path.join(root, 'node_modules', '.package-lock.json');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (mtime(installedLock) < mtime(path.join(root, 'package-lock.json'))) {
    if (!run(npm, ['ci', '--no-audit', '--no-fund'], { env })) fail('npm ci failed (see above).');
    return;
  }
  // npm drops an optional dependency whose build failed: keytar, on a machine that lacked libsecret's headers.
  if (!existsSync(path.join(root, 'node_modules', 'keytar'))) {
    console.error('npm test: installing the keychain module (keytar), which the keychain tests use…');
    if (!run(npm, ['install', '--no-audit', '--no-fund'], { env })) fail('npm install failed (see above).');
  } else if (!run(process.execPath, ['-e', "require('keytar')"], { quiet: true })) {
    console.error('npm test: rebuilding the keychain module (keytar)…');
    if (!run(npm, ['rebuild', 'keytar'], { env })) fail('npm rebuild keytar failed (see above).');
  }
}

function fail(message) {
  console.error(`npm test: ${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

ensureSystemPackages();
ensureNodeModules();

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
let checkFailures = 0;
if (vitestArgs.length === 0) {
  for (const [name, script] of [['typecheck', 'typecheck'], ['lint', 'lint']]) {
    if (!run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', script])) {
      console.error(`npm test: ${name} failed (see above).`);
      checkFailures++;
    }
  }
}

rmSync(REPORT, { force: true });
const quoted = [bin('vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...vitestArgs]
  .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
  .join(' ');
const testsPassed = run('dbus-run-session', [
  '--',
  'sh',
  '-c',
  `echo | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec ${quoted}`,
]);

let passed = 0;
let failed = checkFailures;
if (existsSync(REPORT)) {
  const report = JSON.parse(readFileSync(REPORT, 'utf8'));
  passed = report.numPassedTests;
  failed += report.numFailedTests + (report.numRuntimeErrorTests ?? 0);
} else {
  failed += 1; // vitest ended without a report: it did not run
}
if (!testsPassed && failed === 0) failed = 1; // e.g. an unhandled error between tests
console.log(`${passed} passed, ${failed} failed`);
process.exit(testsPassed && checkFailures === 0 ? 0 : 1);
