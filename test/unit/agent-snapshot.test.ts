import { chmod, lstat, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMetadata, walkSources, type SnapshotEntry, type SnapshotItem, type WalkOptions } from '../../src-agent/snapshot.js';

const MTIME = 1_600_000_000_123;
const isRoot = process.getuid?.() === 0;

let tmp: string;
let src: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'agent-snapshot-'));
  src = path.join(tmp, 'src');
  await mkdir(path.join(src, 'b', 'd'), { recursive: true });
  await mkdir(path.join(src, 'empty'));
  await writeFile(path.join(src, 'a.txt'), 'alpha', { mode: 0o600 });
  await writeFile(path.join(src, 'Z.txt'), 'upper case sorts first');
  await writeFile(path.join(src, 'b', 'c.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  await writeFile(path.join(src, 'b', 'd', 'e.txt'), 'deep');
  await symlink('a.txt', path.join(src, 'link'));
  // Explicit modes: writeFile's mode is filtered by the umask.
  await chmod(path.join(src, 'a.txt'), 0o600);
  await chmod(path.join(src, 'b', 'c.sh'), 0o755);
  await utimes(path.join(src, 'a.txt'), new Date(), new Date(MTIME));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function collect(sources: string[], options?: WalkOptions): Promise<SnapshotItem[]> {
  const items: SnapshotItem[] = [];
  for await (const item of walkSources(sources, options)) items.push(item);
  return items;
}

function entries(items: SnapshotItem[]): SnapshotEntry[] {
  return items.filter((item): item is SnapshotEntry => item.type !== 'error');
}

/** Writes a snapshot into `target` the way restore does: contents first, directory metadata last. */
async function restore(items: SnapshotItem[], root: string, target: string): Promise<void> {
  const directories: [string, SnapshotEntry][] = [];
  for (const entry of entries(items)) {
    const destination = path.join(target, path.relative(root, entry.path));
    if (entry.type === 'dir') {
      await mkdir(destination, { recursive: true });
      directories.push([destination, entry]);
      continue;
    }
    if (entry.type === 'symlink') await symlink(entry.linkTarget ?? '', destination);
    else await writeFile(destination, await readFile(entry.path));
    await applyMetadata(destination, entry);
  }
  for (const [destination, entry] of directories.reverse()) await applyMetadata(destination, entry);
}

describe('walkSources', () => {
  it('yields every entry depth-first, directories before their contents, siblings sorted', async () => {
    const items = await collect([src]);
    expect(items.map((item) => [item.type, path.relative(src, item.path)])).toEqual([
      ['dir', ''],
      ['file', 'Z.txt'],
      ['file', 'a.txt'],
      ['dir', 'b'],
      ['file', 'b/c.sh'],
      ['dir', 'b/d'],
      ['file', 'b/d/e.txt'],
      ['dir', 'empty'],
      ['symlink', 'link'],
    ]);
    expect(items.every((item) => item.path.startsWith(`${src}/`) || item.path === src)).toBe(true);
  });

  it('walks the same with concurrent stats, the mode it switches to where stats are slow (network shares)', async () => {
    // A negative threshold counts every directory as slow: after the root's listing, every directory is
    // statted the concurrent way (32 at a time: the 80 files here take three rounds).
    await mkdir(path.join(src, 'many'));
    await Promise.all(Array.from({ length: 80 }, (_, i) => writeFile(path.join(src, 'many', `f${String(i).padStart(2, '0')}`), String(i))));
    const options = { identity: true };
    expect(await collect([src], { ...options, slowStatMs: -1 })).toEqual(await collect([src], options));
  });

  it('records size, mode, integer mtime and link target', async () => {
    const byName = new Map(entries(await collect([src])).map((entry) => [path.relative(src, entry.path), entry]));
    expect(byName.get('a.txt')).toEqual({ type: 'file', path: `${src}/a.txt`, size: 5, mtimeMs: MTIME, mode: 0o600 });
    expect(byName.get('b/c.sh')).toMatchObject({ type: 'file', size: 18, mode: 0o755 });
    expect(byName.get('empty')).toMatchObject({ type: 'dir', size: 0 });
    expect(byName.get('link')).toMatchObject({ type: 'symlink', size: 0, linkTarget: 'a.txt' });
    for (const entry of byName.values()) expect(Number.isInteger(entry.mtimeMs)).toBe(true);
  });

  it('keeps the order when a directory has more entries than are stat-ed at once', async () => {
    const many = path.join(src, 'many');
    await mkdir(many);
    const names = Array.from({ length: 100 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    await Promise.all(names.map((name) => writeFile(path.join(many, name), name)));
    const walked = (await collect([many])).slice(1).map((item) => path.basename(item.path));
    expect(walked).toEqual(names);
  });

  it('accepts a file as a source, follows a symlinked source, and skips repeated or nested sources', async () => {
    const linkedSource = path.join(tmp, 'linked-src');
    await symlink(src, linkedSource);
    const items = await collect([`${src}/a.txt`, linkedSource, `${src}/b/`, `${src}/b/d`, `${src}/b`]);
    expect(items.map((item) => [item.type, path.relative(tmp, item.path)])).toEqual([
      ['file', 'src/a.txt'],
      ['dir', 'linked-src'],
      ['file', 'linked-src/Z.txt'],
      ['file', 'linked-src/a.txt'],
      ['dir', 'linked-src/b'],
      ['file', 'linked-src/b/c.sh'],
      ['dir', 'linked-src/b/d'],
      ['file', 'linked-src/b/d/e.txt'],
      ['dir', 'linked-src/empty'],
      ['symlink', 'linked-src/link'],
      ['dir', 'src/b'],
      ['file', 'src/b/c.sh'],
      ['dir', 'src/b/d'],
      ['file', 'src/b/d/e.txt'],
    ]);
  });

  it('rejects relative source paths before walking', async () => {
    await expect(collect(['relative/path'])).rejects.toThrow(TypeError);
  });

  it('yields what it cannot back up as errors instead of throwing or skipping it', async () => {
    const socketPath = path.join(src, 'b', 'sock');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const items = await collect([path.join(tmp, 'missing'), src]);
      expect(items[0]).toMatchObject({ type: 'error', path: `${tmp}/missing`, code: 'ENOENT' });
      expect(items.find((item) => item.path === `${src}/b/sock`)).toMatchObject({ type: 'error', code: 'UNSUPPORTED_TYPE', error: 'socket cannot be backed up' });
      expect(entries(items)).toHaveLength(9);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.skipIf(isRoot)('reports an unreadable directory after its own entry (needs a non-root user)', async () => {
    await chmod(path.join(src, 'b'), 0o000);
    try {
      const items = await collect([src]);
      const index = items.findIndex((item) => item.path === `${src}/b`);
      expect(items[index]).toMatchObject({ type: 'dir' });
      expect(items[index + 1]).toMatchObject({ type: 'error', path: `${src}/b`, code: 'EACCES' });
    } finally {
      await chmod(path.join(src, 'b'), 0o755);
    }
  });
});

describe('applyMetadata', () => {
  it('round-trips modes and mtimes of files, directories and symlinks through a restore', async () => {
    await utimes(path.join(src, 'b', 'd'), new Date(), new Date(MTIME + 2));
    await utimes(path.join(src, 'b', 'c.sh'), new Date(), new Date(-1_500)); // before 1970
    await chmod(path.join(src, 'empty'), 0o700);
    const original = await collect([src]);
    const target = path.join(tmp, 'restored');
    await restore(original, src, target);

    const restored = await collect([target]);
    const relative = (items: SnapshotItem[], root: string) => entries(items).map((entry) => ({ ...entry, path: path.relative(root, entry.path) }));
    expect(relative(restored, target)).toEqual(relative(original, src));
    expect((await lstat(path.join(target, 'b', 'c.sh'))).mode & 0o777).toBe(0o755);
  });
});
