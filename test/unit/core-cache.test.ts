import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OfflineCache } from '../../src-main/core/cache.js';

let dir: string;
let file: string;
const open: OfflineCache[] = [];

function openCache(maxBytes = 64 * 1024 * 1024): OfflineCache {
  const cache = OfflineCache.open(file, { maxBytes });
  open.push(cache);
  return cache;
}

function closeAll(): void {
  for (const cache of open.splice(0)) cache.close();
}

/** A list whose JSON is a little over `bytes` long; equal sizes make equal entries. */
const payload = (bytes: number) => ({ items: [randomBytes(Math.ceil(bytes * 0.75)).toString('base64')], total: 1 });

beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'core-cache-'));
  file = path.join(dir, 'cache', 'offline.sqlite');
});

afterEach(async () => {
  closeAll();
  vi.useRealTimers();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

describe('OfflineCache', () => {
  it('returns what was put, with the time it was fetched', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-03-01T10:00:00.000Z'));
    const cache = openCache();
    const list = { items: [{ id: 'c1', name: 'Acme', spaceAllotted: null }], total: 1 };
    cache.put('srv1', 'GET /resellers/r1/customers?sort=name', list);

    vi.setSystemTime(new Date('2025-03-02T08:00:00.000Z'));
    expect(cache.get('srv1', 'GET /resellers/r1/customers?sort=name')).toEqual({
      value: list,
      asOf: '2025-03-01T10:00:00.000Z',
    });
  });

  it('keys entries by server and resource', () => {
    const cache = openCache();
    cache.put('srv1', 'GET /resellers', ['one']);
    cache.put('srv2', 'GET /resellers', ['two']);
    expect(cache.get('srv1', 'GET /resellers')?.value).toEqual(['one']);
    expect(cache.get('srv2', 'GET /resellers')?.value).toEqual(['two']);
    expect(cache.get('srv1', 'GET /resellers?sort=name')).toBeNull();
    expect(cache.get('srv3', 'GET /resellers')).toBeNull();
  });

  it('replaces an entry on a newer fetch', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-03-01T10:00:00.000Z'));
    const cache = openCache();
    cache.put('srv1', 'GET /server', { name: 'old' });
    vi.setSystemTime(new Date('2025-03-01T11:00:00.000Z'));
    cache.put('srv1', 'GET /server', { name: 'new' });
    expect(cache.get('srv1', 'GET /server')).toEqual({ value: { name: 'new' }, asOf: '2025-03-01T11:00:00.000Z' });
  });

  it('refuses values without a JSON form', () => {
    const cache = openCache();
    expect(() => cache.put('srv1', 'GET /x', undefined)).toThrow(TypeError);
    expect(cache.get('srv1', 'GET /x')).toBeNull();
  });

  it('clears one server or everything', () => {
    const cache = openCache();
    cache.put('srv1', 'a', 1);
    cache.put('srv1', 'b', 2);
    cache.put('srv2', 'a', 3);
    cache.clear('srv1');
    expect(cache.get('srv1', 'a')).toBeNull();
    expect(cache.get('srv1', 'b')).toBeNull();
    expect(cache.get('srv2', 'a')?.value).toBe(3);
    cache.clear();
    expect(cache.get('srv2', 'a')).toBeNull();
    expect(cache.sizeBytes()).toBe(0);
  });

  it('gives the space of cleared entries back to the file system', () => {
    const cache = openCache();
    for (let i = 0; i < 20; i++) cache.put('srv1', `k${i}`, payload(50_000));
    cache.close();
    const full = fs.statSync(file).size;
    const reopened = openCache();
    reopened.clear();
    reopened.close();
    expect(fs.statSync(file).size).toBeLessThan(full / 10);
  });

  it('keeps data across reopen', () => {
    openCache().put('srv1', 'GET /server', { name: 'kept' });
    closeAll();
    expect(openCache().get('srv1', 'GET /server')?.value).toEqual({ name: 'kept' });
  });

  it('rejects a size bound that is not a positive integer', () => {
    expect(() => OfflineCache.open(file, { maxBytes: 0 })).toThrow(RangeError);
    expect(() => OfflineCache.open(file, { maxBytes: Number.NaN })).toThrow(RangeError);
  });

  describe('eviction', () => {
    /** Size of every entry made by `payload(20_000)`: its JSON in bytes, as the cache counts it. */
    const one = Buffer.byteLength(JSON.stringify(payload(20_000)));

    it('counts the bytes of the stored JSON', () => {
      const cache = openCache();
      cache.put('srv', 'a', payload(20_000));
      cache.put('srv', 'b', { name: 'Müller' });
      expect(cache.sizeBytes()).toBe(one + Buffer.byteLength('{"name":"Müller"}'));
    });

    it('evicts the least recently used entries, counting a read as a use', () => {
      // Frozen time: the order must come from the sequence of uses, not from distinct timestamps.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2025-03-01T10:00:00.000Z'));
      const cache = openCache(Math.floor(one * 3.5));
      cache.put('srv', 'a', payload(20_000));
      cache.put('srv', 'b', payload(20_000));
      cache.put('srv', 'c', payload(20_000));
      expect(cache.get('srv', 'a')).not.toBeNull();

      cache.put('srv', 'd', payload(20_000));
      expect(cache.get('srv', 'b')).toBeNull();
      for (const key of ['a', 'c', 'd']) expect(cache.get('srv', key), key).not.toBeNull();
      expect(cache.sizeBytes()).toBeLessThanOrEqual(Math.floor(one * 3.5));
    });

    it('remembers the order of use across reopen', () => {
      const first = openCache(one * 10);
      for (const key of ['a', 'b', 'c']) first.put('srv', key, payload(20_000));
      first.get('srv', 'a');
      closeAll();

      const cache = openCache(Math.floor(one * 3.5));
      cache.put('srv', 'd', payload(20_000));
      expect(cache.get('srv', 'b')).toBeNull();
      expect(cache.get('srv', 'a')).not.toBeNull();
    });

    it('does not keep a value larger than the whole cache', () => {
      const cache = openCache(10_000);
      cache.put('srv', 'small', { ok: true });
      cache.put('srv', 'huge', payload(50_000));
      expect(cache.get('srv', 'huge')).toBeNull();
      expect(cache.sizeBytes()).toBeLessThanOrEqual(10_000);
    });
  });

  describe('damaged files', () => {
    const asideFiles = () => fs.readdirSync(path.dirname(file)).filter((name) => name.includes('.corrupt-'));

    it('moves a file that is not a database aside and starts over', () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'this is not an SQLite database\n'.repeat(200));
      const cache = openCache();
      cache.put('srv1', 'a', [1]);
      expect(cache.get('srv1', 'a')?.value).toEqual([1]);
      const aside = asideFiles();
      expect(aside).toHaveLength(1);
      expect(aside[0]).toMatch(/^offline\.sqlite\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
      expect(fs.readFileSync(path.join(path.dirname(file), aside[0] ?? ''), 'utf8')).toContain('not an SQLite');
    });

    it('moves a database with damaged pages aside', () => {
      const cache = openCache();
      for (let i = 0; i < 30; i++) cache.put('srv1', `k${i}`, payload(2_000));
      closeAll();
      // Page 1 (the header) stays intact; the b-tree pages behind it are overwritten.
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, 4096);
      fs.closeSync(fd);

      const rebuilt = openCache();
      expect(rebuilt.get('srv1', 'k1')).toBeNull();
      rebuilt.put('srv1', 'k1', 'fresh');
      expect(rebuilt.get('srv1', 'k1')?.value).toBe('fresh');
      expect(asideFiles()).toHaveLength(1);
    });

    it('replaces a cache written by another schema version', () => {
      openCache().put('srv1', 'a', 'old layout');
      closeAll();
      const db = new Database(file);
      db.pragma('user_version = 99');
      db.close();

      const cache = openCache();
      expect(cache.get('srv1', 'a')).toBeNull();
      cache.put('srv1', 'a', 'new layout');
      expect(cache.get('srv1', 'a')?.value).toBe('new layout');
      expect(asideFiles()).toHaveLength(0);
    });
  });

  it('stores 100,000 report rows in at most 40 MB', () => {
    const cache = openCache(1024 * 1024 * 1024);
    // Lists arrive in pages of at most 1000 (API.md), each cached as its own resource.
    for (let page = 0; page < 100; page++) {
      cache.put('srv1', `GET /schedules/s${page}/reports/backup?limit=1000`, reportPage(page * 1000, 1000));
    }
    closeAll();
    const bytes = ['', '-wal'].reduce((sum, suffix) => sum + (fs.statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
    expect(bytes).toBeLessThanOrEqual(40 * 1024 * 1024);
  });
});

/** Backup reports shaped as API.md lists them. */
function reportPage(first: number, count: number) {
  const statuses = ['success', 'success', 'success', 'partial', 'failed', 'refused'] as const;
  const items = Array.from({ length: count }, (_, n) => {
    const i = first + n;
    const started = Date.UTC(2025, 0, 1) + i * 3_600_000;
    const status = statuses[i % statuses.length] ?? 'success';
    return {
      id: `rep_${i.toString(36).padStart(8, '0')}`,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(started + 60_000 + ((i * 7919) % 3_600_000)).toISOString(),
      status,
      filesScanned: 10_000 + ((i * 7919) % 90_000),
      filesUploaded: (i * 104_729) % 5000,
      bytesScanned: 1_000_000_000 + ((i * 2_654_435_761) % 9_000_000_000),
      bytesUploaded: (i * 40_503) % 500_000_000,
      error: status === 'failed' ? 'Connection reset by peer while uploading a chunk' : null,
    };
  });
  return { items, total: 100_000 };
}
