/**
 * Running the real agent CLI (TypeScript through tsx, like the server) and looking at what it did to the
 * file system: tree digests for restore checks, byte counts of a server's chunk store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src-agent/cli.ts');

export interface AgentResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AgentProcess {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout: () => string;
  done: Promise<AgentResult>;
}

/** Starts `agent <args...>` and returns at once; `done` resolves when it exits. */
export function spawnAgent(args: readonly string[]): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<AgentResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stdout: () => stdout, done };
}

export const runAgent = (args: readonly string[]) => spawnAgent(args).done;

/** The agent token a registered state dir holds (for driving the agent API directly). */
export async function agentTokenOf(stateDir: string): Promise<string> {
  return (JSON.parse(await readFile(path.join(stateDir, 'state.json'), 'utf8')) as { token: string }).token;
}

/** The "N chunks uploaded" figure of a backup summary line. */
export function chunksUploaded(stdout: string): number {
  const match = /(\d+) chunks uploaded/.exec(stdout);
  if (!match) throw new Error(`no backup summary in agent output: ${stdout}`);
  return Number(match[1]);
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtimeMs: number;
  sha256?: string;
  linkTarget?: string;
}

/** Every entry below `root` by relative path: type, permission bits, whole-ms mtime, content hash or link target. */
export async function treeDigest(root: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const visit = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const stats = await lstat(full);
      const common = { mode: stats.mode & 0o7777, mtimeMs: Math.round(stats.mtimeMs) };
      if (stats.isSymbolicLink()) {
        // A link's own mode is always 0777 on Linux and not restorable; only its target counts.
        out.set(rel, { type: 'symlink', mode: 0, mtimeMs: common.mtimeMs, linkTarget: await readlink(full) });
      } else if (stats.isDirectory()) {
        out.set(rel, { type: 'dir', ...common });
        await visit(full);
      } else {
        out.set(rel, { type: 'file', ...common, sha256: createHash('sha256').update(await readFile(full)).digest('hex') });
      }
    }
  };
  await visit(root);
  return out;
}

/**
 * Total size of the regular files below `dir` (0 when it does not exist): what a chunk store occupies.
 * A file that vanishes while it is counted (the server compacting packs) counts 0; callers that race
 * with the server poll until the figure is stable.
 */
export async function bytesUnder(dir: string): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return 0;
  }
  let total = 0;
  for (const name of entries) {
    const full = path.join(dir, name);
    const stats = await lstat(full).catch((error: unknown) => {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw error;
    });
    if (stats) total += stats.isDirectory() ? await bytesUnder(full) : stats.size;
  }
  return total;
}
