import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface RunningServer {
  url: string;
  /** `${url}/api/v1` */
  api: string;
  fingerprint: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill: () => Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  /** Serve plain HTTP (loopback only); the default here, since most tests are not about TLS. */
  http?: boolean;
  /** Run the shipped bundle `dist/server/cli.js` (`npm run build` first) rather than the source through tsx. */
  built?: boolean;
}

/** A temp data dir that the caller removes with `removeDir`. */
export const tempDir = (prefix = 'bs-test-') => mkdtemp(path.join(tmpdir(), prefix));
export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });

/**
 * Starts the real server CLI (TypeScript through tsx, or the built bundle) on 127.0.0.1:0 and resolves
 * once it printed its `listening <url> fingerprint=<hex|none>` line.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? (await tempDir());
  const entry = options.built ? [path.join(ROOT, 'dist/server/cli.js')] : ['--import', 'tsx', path.join(ROOT, 'src-server/cli.ts')];
  const args = [...entry, '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--admin-password', ADMIN_PASSWORD];
  if (options.http !== false) args.push('--http');
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BACKUP_SERVER_ADMIN_PASSWORD: '' } });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      output += `${l}\n`;
      if (l.startsWith('listening ')) resolve(l);
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
  const match = /^listening (\S+) fingerprint=(\S+)$/.exec(line);
  if (!match) throw new Error(`unexpected listening line: ${line}`);
  return {
    url: match[1]!,
    api: `${match[1]}/api/v1`,
    fingerprint: match[2]!,
    dataDir,
    process: child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
