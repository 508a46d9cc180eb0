/**
 * The embedded server's launcher contract with stand-in server processes (a few lines of Node printing
 * what the real CLI prints). The real server behind `--demo` is started in core-console.test.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer, type ServerLauncher } from '../../src-main/core/embedded-server.js';

/** A launcher running `script` with Node, recording what it was asked to run. */
function scriptLauncher(script: string, calls: { args: readonly string[]; env: NodeJS.ProcessEnv }[]): ServerLauncher {
  return (args, env) => {
    calls.push({ args, env });
    const child = spawn(process.execPath, ['-e', script, '--', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
      stop: (force) => {
        child.kill(force ? 'SIGKILL' : 'SIGTERM');
      },
    };
  };
}

let dir: string;
beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'core-embedded-'));
});
afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

describe('startEmbeddedServer', () => {
  it('runs the server on loopback with --demo, hands the password over in the environment only, and stops it', async () => {
    const calls: { args: readonly string[]; env: NodeJS.ProcessEnv }[] = [];
    const script = `
      process.stderr.write('demo data: 3 resellers\\n');
      process.stdout.write('listening https://127.0.0.1:43210 fingerprint=' + 'ab'.repeat(32) + '\\n');
      process.on('SIGTERM', () => process.exit(0));
      setInterval(() => {}, 1000);`;
    const logs: string[] = [];
    const server = await startEmbeddedServer({ dataDir: path.join(dir, 'a'), adminPassword: 'generated-secret-1234', launch: scriptLauncher(script, calls), log: (l) => logs.push(l) });
    expect(server).toMatchObject({ url: 'https://127.0.0.1:43210', fingerprint: 'ab'.repeat(32) });
    expect(calls[0]!.args).toEqual(['--data-dir', path.join(dir, 'a'), '--host', '127.0.0.1', '--port', '0', '--demo']);
    expect(calls[0]!.env['BACKUP_SERVER_ADMIN_PASSWORD']).toBe('generated-secret-1234');
    expect(fs.statSync(path.join(dir, 'a')).isDirectory()).toBe(true);
    await until(() => logs.includes('demo data: 3 resellers'));
    await server.stop();
    await server.stop();
  });

  it('reports a server that exits before it listens, with what it said', async () => {
    const script = `process.stderr.write('backup server: --data-dir: permission denied\\n'); process.exit(1);`;
    await expect(startEmbeddedServer({ dataDir: path.join(dir, 'b'), adminPassword: 'x'.repeat(12), launch: scriptLauncher(script, []) })).rejects.toThrow(
      /exited \(code 1\) before it was ready:\n.*permission denied/,
    );
  });

  it('gives up on a server that never gets ready, and stops it', async () => {
    const script = `process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);`;
    await expect(
      startEmbeddedServer({ dataDir: path.join(dir, 'c'), adminPassword: 'x'.repeat(12), launch: scriptLauncher(script, []), startTimeoutMs: 300 }),
    ).rejects.toThrow(/not ready within 0.3 s/);
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check()).toBe(true);
}
