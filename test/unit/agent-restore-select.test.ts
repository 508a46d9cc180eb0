/** `restore --path`: which manifest entries a selection takes (src-agent/restore.ts, selectEntries). */
import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../src-shared/api/agent.js';
import { selectEntries } from '../../src-agent/restore.js';

const entry = (p: string, type: ManifestEntry['type'] = 'file'): ManifestEntry => ({ path: p, type, mode: 0o644, mtimeMs: 0, size: 0, ...(type === 'file' ? { chunks: [] } : {}) }) as ManifestEntry;

const ENTRIES = [
  entry('/home/ann', 'dir'),
  entry('/home/ann/docs', 'dir'),
  entry('/home/ann/docs/a.txt'),
  entry('/home/ann/docs/sub', 'dir'),
  entry('/home/ann/docs/sub/b.txt'),
  entry('/home/ann/docs2', 'dir'),
  entry('/home/ann/docs2/c.txt'),
  entry('/home/ann/top.txt'),
];
const paths = (selection: string[]) => selectEntries(ENTRIES, selection, 'B1').map((e) => e.path);

describe('restore --path selection', () => {
  it('takes a folder with everything below it, and not its siblings that share a prefix', () => {
    expect(paths(['/home/ann/docs'])).toEqual(['/home/ann/docs', '/home/ann/docs/a.txt', '/home/ann/docs/sub', '/home/ann/docs/sub/b.txt']);
    expect(paths(['/home/ann/docs/'])).toEqual(paths(['/home/ann/docs']));
  });

  it('takes single files, several selections at once, each entry once', () => {
    expect(paths(['/home/ann/top.txt', '/home/ann/docs2/c.txt'])).toEqual(['/home/ann/docs2/c.txt', '/home/ann/top.txt']);
    expect(paths(['/home/ann/docs', '/home/ann/docs/sub'])).toHaveLength(4);
  });

  it('takes everything for the root', () => {
    expect(paths(['/'])).toEqual(ENTRIES.map((e) => e.path));
    const windows = [entry('C:/Users', 'dir'), entry('C:/Users/x.txt'), entry('D:/y.txt')];
    expect(selectEntries(windows, ['C:/'], 'B1').map((e) => e.path)).toEqual(['C:/Users', 'C:/Users/x.txt']);
  });

  it('names every selection that matches nothing', () => {
    expect(() => paths(['/home/ann/docs', '/home/ann/doc', '/nope'])).toThrow('backup B1 holds nothing at "/home/ann/doc", "/nope"');
  });
});
