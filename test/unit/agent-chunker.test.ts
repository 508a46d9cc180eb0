import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_CHUNK_SIZE,
  DEFAULT_MIN_CHUNK_SIZE,
  chunkStream,
  type Chunk,
  type ChunkerOptions,
} from '../../src-agent/chunker.js';
import { GEAR, findCut } from '../../src-agent/gear-hash.js';
import { pseudoRandom } from '../support/pseudo-random.js';

// Small sizes keep most tests fast while exercising every region (skip, hard mask, easy mask, forced max cut).
const SMALL: ChunkerOptions = { minSize: 2048, avgSize: 4096, maxSize: 32768 };


function* split(data: Buffer, sizes: readonly number[]): Generator<Buffer> {
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

async function chunksOf(input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: ChunkerOptions): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of chunkStream(input, options)) chunks.push(chunk);
  return chunks;
}

const summary = (chunks: Chunk[]) => chunks.map(({ offset, hash, data }) => ({ offset, hash, size: data.length }));

function changedChunks(before: Chunk[], after: Chunk[]): number {
  const known = new Set(before.map((chunk) => chunk.hash));
  return after.filter((chunk) => !known.has(chunk.hash)).length;
}

function expectValidChunking(data: Buffer, chunks: Chunk[], { minSize, maxSize }: { minSize: number; maxSize: number }) {
  expect(Buffer.concat(chunks.map((chunk) => chunk.data)).equals(data)).toBe(true);
  let offset = 0;
  chunks.forEach((chunk, index) => {
    expect(chunk.offset).toBe(offset);
    expect(chunk.hash).toBe(createHash('sha256').update(chunk.data).digest('hex'));
    expect(chunk.data.length).toBeLessThanOrEqual(maxSize);
    if (index < chunks.length - 1) expect(chunk.data.length).toBeGreaterThanOrEqual(minSize);
    else expect(chunk.data.length).toBeGreaterThan(0);
    offset += chunk.data.length;
  });
}

describe('findCut (the gear hash scan in WebAssembly)', () => {
  /** The definition, written out in JavaScript. */
  function reference(data: Uint8Array, from: number, end: number, mask: number, state: Uint32Array): number {
    let h = state[0]!;
    for (let i = from; i < end; i++) {
      h = ((h << 1) + GEAR[data[i]!]!) >>> 0;
      if ((h & mask) >>> 0 === 0) {
        state[0] = h;
        return i + 1;
      }
    }
    state[0] = h;
    return -1;
  }

  it('finds the cuts and leaves the hash the definition does, across its internal windows and from any state', () => {
    const data = pseudoRandom(0x9ea5, 600_000);
    // Masks of 1 to 24 high bits: cuts every few bytes up to none in 600 KB; ranges that start and end
    // inside the 64 KiB windows; a carried-in hash with the top bit set (negative as an i32).
    for (const bits of [1, 4, 10, 14, 16, 24]) {
      const mask = (0xffffffff << (32 - bits)) >>> 0;
      for (const [from, end] of [[0, 600_000], [12_345, 140_001], [65_535, 65_537], [599_999, 600_000], [7, 7]] as [number, number][]) {
        const ours = Uint32Array.of(0xdeadbeef);
        const theirs = Uint32Array.of(0xdeadbeef);
        let at = from;
        for (let steps = 0; steps < 1000; steps++) {
          const cut = findCut(data, at, end, mask, ours);
          expect([cut, ours[0]]).toEqual([reference(data, at, end, mask, theirs), theirs[0]]);
          if (cut < 0) break;
          at = cut;
        }
      }
    }
  });
});

describe('chunkStream with small sizes', () => {
  const data = pseudoRandom(1, 1024 * 1024);

  it('reassembles the input exactly, with every chunk but the last within [min, max]', async () => {
    const chunks = await chunksOf([data], SMALL);
    expect(chunks.length).toBeGreaterThan(50);
    expectValidChunking(data, chunks, { minSize: 2048, maxSize: 32768 });
  });

  it('finds the same boundaries however the input is split into read buffers', async () => {
    const reference = summary(await chunksOf([data], SMALL));
    for (const sizes of [[65536], [4096], [1000], [7, 3, 100_000, 1, 0, 65_537], [2047, 2048, 2049]]) {
      expect(summary(await chunksOf(split(data, sizes), SMALL))).toEqual(reference);
    }
    const small = data.subarray(0, 96 * 1024);
    expect(summary(await chunksOf(split(small, [1]), SMALL))).toEqual(summary(await chunksOf([small], SMALL)));
  });

  it('cuts at maxSize when the content never matches the mask', async () => {
    const zeros = Buffer.alloc(100_000);
    const sizes = (await chunksOf([zeros], SMALL)).map((chunk) => chunk.data.length);
    expect(sizes).toEqual([32768, 32768, 32768, 100_000 - 3 * 32768]);
  });

  it('changes at most 3 chunks when one byte in the middle changes', async () => {
    const edited = Buffer.from(data);
    const middle = edited.length >> 1;
    edited[middle] = (edited[middle] ?? 0) ^ 0xff;
    expect(changedChunks(await chunksOf([data], SMALL), await chunksOf([edited], SMALL))).toBeLessThanOrEqual(3);
  });

  it('changes at most 3 chunks when 100 bytes are inserted at the start', async () => {
    const shifted = Buffer.concat([pseudoRandom(2, 100), data]);
    expect(changedChunks(await chunksOf([data], SMALL), await chunksOf([shifted], SMALL))).toBeLessThanOrEqual(3);
  });

  it('yields no chunks for empty input', async () => {
    expect(await chunksOf([], SMALL)).toEqual([]);
    expect(await chunksOf([Buffer.alloc(0), new Uint8Array(0)], SMALL)).toEqual([]);
  });

  it('does not keep references to input buffers, so a producer may reuse its buffer', async () => {
    async function* reusingProducer(): AsyncGenerator<Buffer> {
      const buffer = Buffer.allocUnsafe(3000);
      for (let offset = 0; offset < data.length; offset += buffer.length) {
        const length = data.copy(buffer, 0, offset, offset + buffer.length);
        yield buffer.subarray(0, length);
      }
    }
    expect(summary(await chunksOf(reusingProducer(), SMALL))).toEqual(summary(await chunksOf([data], SMALL)));
  });

  it('rejects invalid sizes and string input', async () => {
    await expect(chunksOf([data], { minSize: 8192, avgSize: 4096, maxSize: 32768 })).rejects.toThrow(RangeError);
    await expect(chunksOf([data], { minSize: 1024, avgSize: 5000, maxSize: 32768 })).rejects.toThrow(/power of two/);
    await expect(chunksOf([data], { minSize: 0 })).rejects.toThrow(RangeError);
    const strings = ['not bytes'] as unknown as Uint8Array[];
    await expect(chunksOf(strings, SMALL)).rejects.toThrow(TypeError);
  });
});

describe('chunkStream with the default sizes', () => {
  const data = pseudoRandom(0x5eed, 24 * 1024 * 1024);

  it('chunks 24 MiB into valid chunks, independently of the read size', async () => {
    const chunks = await chunksOf(split(data, [4 * 1024 * 1024]));
    expectValidChunking(data, chunks, { minSize: DEFAULT_MIN_CHUNK_SIZE, maxSize: DEFAULT_MAX_CHUNK_SIZE });
    expect(summary(await chunksOf(split(data, [65_536, 1_000_003])))).toEqual(summary(chunks));
  });

  it('keeps boundaries stable across versions, since changing them defeats dedup of existing backups', async () => {
    const sizes = (await chunksOf([data])).map((chunk) => chunk.data.length);
    expect(sizes).toEqual(GOLDEN_DEFAULT_SIZES);
  });

  it('changes at most 3 chunks after a one-byte edit or a 100-byte insertion', async () => {
    const original = await chunksOf([data]);
    const edited = Buffer.from(data);
    edited[12_345_678] = (edited[12_345_678] ?? 0) ^ 1;
    expect(changedChunks(original, await chunksOf([edited]))).toBeLessThanOrEqual(3);
    expect(changedChunks(original, await chunksOf([Buffer.concat([pseudoRandom(3, 100), data])]))).toBeLessThanOrEqual(3);
  });
});

/** Chunk sizes of pseudoRandom(0x5eed, 24 MiB) with the default options (see the stability test). */
const GOLDEN_DEFAULT_SIZES = [
  1350912, 1251204, 1071208, 1931805, 1235852, 808048, 1303209, 1544497, 2147923, 1048890,
  1051840, 1519319, 1371748, 1088387, 1560906, 1178915, 1120663, 2280782, 299716,
];
