import { describe, expect, it } from 'vitest';
import { CODEC_RAW, CODEC_ZSTD, decodeChunk, encodeChunk, encodeChunkInto, maxEncodedLength } from '../../src-shared/chunk-codec.js';
import { pseudoRandom, pseudoText } from '../support/pseudo-random.js';

const MIB = 1024 * 1024;

const text = (length: number, seed: number) => pseudoText(seed, length);

/** Bytes drawn from a tiny alphabet: many short matches. */
function lowEntropy(length: number, seed: number): Buffer {
  const random = pseudoRandom(seed, length);
  for (let i = 0; i < length; i++) random[i] = 97 + (random[i]! % 3);
  return random;
}

const INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['1 byte', Buffer.from('a')],
  ['17 bytes', Buffer.from('abcdabcdabcdabcda')],
  ['3 MiB of zeros', Buffer.alloc(3 * MIB)],
  ['1 MiB random', pseudoRandom(1, MIB)],
  ['1 MiB text', text(MIB, 2)],
  ['low entropy', lowEntropy(300_000, 3)],
  ['text, random, text', Buffer.concat([text(70_000, 4), pseudoRandom(5, 70_001), text(200_000, 6)])],
  ['8 MiB, the largest chunk', Buffer.concat([text(4 * MIB, 7), pseudoRandom(8, 4 * MIB)])],
  ...Array.from({ length: 10 }, (_, i): [string, Buffer] => [`random length ${i}`, lowEntropy(1 + ((i * 7919) % 200_000), 100 + i)]),
];

describe('chunk codec', () => {
  it.each(INPUTS)('%s: encodes within maxEncodedLength at any offset and decodes back exactly', (_name, data) => {
    const out = Buffer.alloc(5 + maxEncodedLength(data.length));
    const length = encodeChunkInto(data, out, 5);
    expect(length).toBeLessThanOrEqual(maxEncodedLength(data.length));
    expect(decodeChunk(out.subarray(5, 5 + length)).equals(data)).toBe(true);
    expect(encodeChunk(data).equals(out.subarray(5, 5 + length))).toBe(true);
  });

  it('compresses compressible data with zstd', () => {
    const log = Buffer.from('2024-05-01T10:00:00Z backup started schedule=nightly files=1234\n'.repeat(5000));
    expect(encodeChunk(log)[0]).toBe(CODEC_ZSTD);
    expect(encodeChunk(log).length).toBeLessThan(log.length / 100);
    expect(encodeChunk(text(MIB, 9)).length).toBeLessThan(MIB / 2);
  });

  it('stores random data raw, one byte larger, decoded as a view', () => {
    const random = pseudoRandom(7, MIB);
    const encoded = encodeChunk(random);
    expect(encoded[0]).toBe(CODEC_RAW);
    expect(encoded.length).toBe(random.length + 1);
    expect(decodeChunk(encoded).buffer).toBe(encoded.buffer);
    expect(encodeChunk(Buffer.from('tiny'))[0]).toBe(CODEC_RAW);
  });

  it('keeps compression only when it saves at least about 3%', () => {
    // A zero run at the start of random data: zstd saves about what the zeros take.
    const saves2Percent = Buffer.concat([Buffer.alloc(2_000), pseudoRandom(8, 98_000)]);
    const saves5Percent = Buffer.concat([Buffer.alloc(5_000), pseudoRandom(8, 95_000)]);
    expect(encodeChunk(saves2Percent)[0]).toBe(CODEC_RAW);
    expect(encodeChunk(saves5Percent)[0]).toBe(CODEC_ZSTD);
  });

  it('judges a large chunk by samples: random but for zeros between two samples is stored raw', () => {
    const data = Buffer.from(pseudoRandom(12, MIB).fill(0, 10 * 1024, 140 * 1024));
    expect(encodeChunk(data)[0]).toBe(CODEC_RAW);
  });

  it('rejects an unknown header, an empty buffer and a corrupt zstd payload', () => {
    expect(() => decodeChunk(Buffer.from([1, 1, 2, 3]))).toThrow(/unknown codec header 1/);
    expect(() => decodeChunk(Buffer.alloc(0))).toThrow(/empty/);
    const encoded = encodeChunk(text(100_000, 10));
    expect(() => decodeChunk(encoded.subarray(0, encoded.length - 10))).toThrow(/corrupt zstd payload/);
    expect(() => decodeChunk(Buffer.from([CODEC_ZSTD]))).toThrow(/corrupt zstd payload/);
  });
});
