/**
 * The embedded backup server behind `--demo` (both hosts): the real server CLI as a child process on
 * loopback, with the demo data set in its own data dir, so a newcomer sees a full console on first run.
 *
 * It is our own child on 127.0.0.1, so the fingerprint it prints on stdout is the one to pin: no one else
 * could have printed it. The admin password goes to the child in its environment, never on the command
 * line, where every local user could read it in the process list.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** How to run the server CLI as a child process; its flags (API.md, "Server CLI") are appended. */
export interface ServerCommand {
  command: string;
  args: readonly string[];
  cwd: string;
}

/** A running server process, as the embedded server needs it from whoever launched it. */
export interface ServerProcess {
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code (null when killed by a signal, or when it could not start at all). */
  exited: Promise<number | null>;
  /** Asks it to stop (SIGTERM: it shuts down cleanly), or with `force` kills it where the launcher can. */
  stop(force: boolean): void;
}

/**
 * Starts the server CLI with these flags and this environment. The default spawns `process.execPath`
 * (see `spawnServer`). A packaged Electron app has the RunAsNode fuse off, so it cannot run itself as
 * Node: the shell passes a launcher built on `utilityProcess.fork` of `dist/server/cli.js` instead.
 */
export type ServerLauncher = (args: readonly string[], env: NodeJS.ProcessEnv) => ServerProcess;

/**
 * The folder holding package.json above this module: the repository when run from source
 * (src-main/core), and the app folder when run from the build (dist/main).
 */
export function appRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}.`);
  }
}

/**
 * From source, the TypeScript CLI through tsx; from a build, `dist/server/cli.js`. Either way the current
 * executable runs it: Node, or an unpackaged Electron acting as Node (ELECTRON_RUN_AS_NODE, set at spawn;
 * fuses only apply to packaged apps).
 */
export function defaultServerCommand(): ServerCommand {
  const root = appRoot();
  const fromSource = import.meta.url.endsWith('.ts');
  return {
    command: process.execPath,
    args: fromSource ? ['--import', 'tsx', path.join(root, 'src-server/cli.ts')] : [path.join(root, 'dist/server/cli.js')],
    // `--import tsx` resolves tsx from the working directory.
    cwd: root,
  };
}

/** The default launcher: a child process running `command` (by default `defaultServerCommand()`). */
export function spawnServer(command: ServerCommand = defaultServerCommand()): ServerLauncher {
  return (args, env) => {
    const child = spawn(command.command, [...command.args, ...args], { cwd: command.cwd, env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      // 'error' without 'exit' when the executable cannot be spawned at all.
      exited: new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.once('error', () => resolve(null));
      }),
      stop: (force) => {
        child.kill(force ? 'SIGKILL' : 'SIGTERM');
      },
    };
  };
}

export interface EmbeddedServerOptions {
  dataDir: string;
  adminPassword: string;
  launch?: ServerLauncher;
  /** The server's stderr (warnings, the demo summary), one line at a time. */
  log?: (line: string) => void;
  /** Generous: the first start creates a certificate and the demo data set. */
  startTimeoutMs?: number;
}

export interface EmbeddedServer {
  url: string;
  /** null when the server serves plain http. */
  fingerprint: string | null;
  /** Asks it to stop, kills it if it has not exited within a few seconds, and resolves once it is gone. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const LISTENING = /^listening (\S+) fingerprint=(\S+)$/;

/** Starts the server on 127.0.0.1, any free port, with `--demo`, and resolves once it printed its `listening` line. */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const child = (options.launch ?? spawnServer())(['--data-dir', options.dataDir, '--host', '127.0.0.1', '--port', '0', '--demo'], {
    ...process.env,
    BACKUP_SERVER_ADMIN_PASSWORD: options.adminPassword,
  });
  let running = true;
  void child.exited.then(() => (running = false));
  const stop = async () => {
    if (!running) return;
    child.stop(false);
    const killer = setTimeout(() => child.stop(true), STOP_GRACE_MS);
    await child.exited;
    clearTimeout(killer);
  };

  const recent: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    log(line);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const [, url, fingerprint] = await new Promise<RegExpExecArray>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = LISTENING.exec(line);
        if (match) resolve(match);
      });
      void child.exited.then((code) => reject(new Error(`The demo server exited (code ${code}) before it was ready:\n${recent.join('\n')}`)));
      timer = setTimeout(() => reject(new Error(`The demo server was not ready within ${startTimeoutMs / 1000} s:\n${recent.join('\n')}`)), startTimeoutMs);
    });
    return { url: url!, fingerprint: fingerprint === 'none' ? null : fingerprint!, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
