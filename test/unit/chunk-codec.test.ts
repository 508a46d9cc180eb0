import { describe, expect, it } from 'vitest';
import { CODEC_RAW, CODEC_SNAPPY, decodeChunk, encodeChunk } from '../../src-shared/chunk-codec.js';
import { pseudoRandom } from '../support/pseudo-random.js';


describe('chunk codec', () => {
  it('compresses compressible data with snappy and round-trips it', () => {
    const text = Buffer.from('2024-05-01T10:00:00Z backup started schedule=nightly files=1234\n'.repeat(5000));
    const encoded = encodeChunk(text);
    expect(encoded[0]).toBe(CODEC_SNAPPY);
    expect(encoded.length).toBeLessThan(text.length / 5);
    expect(decodeChunk(encoded).equals(text)).toBe(true);
  });

  it('stores random data raw, one byte larger, and round-trips it', () => {
    const random = pseudoRandom(7, 1024 * 1024);
    const encoded = encodeChunk(random);
    expect(encoded[0]).toBe(CODEC_RAW);
    expect(encoded.length).toBe(random.length + 1);
    expect(decodeChunk(encoded).equals(random)).toBe(true);
  });

  it('keeps snappy only when it saves at least about 3%', () => {
    // A zero run at the start of random data: snappy saves about 2% with 2,000 zeros and 5% with 5,000.
    const saves2Percent = Buffer.concat([Buffer.alloc(2_000), pseudoRandom(8, 98_000)]);
    const saves5Percent = Buffer.concat([Buffer.alloc(5_000), pseudoRandom(8, 95_000)]);
    expect(encodeChunk(saves2Percent)[0]).toBe(CODEC_RAW);
    expect(encodeChunk(saves5Percent)[0]).toBe(CODEC_SNAPPY);
    expect(decodeChunk(encodeChunk(saves5Percent)).equals(saves5Percent)).toBe(true);
  });

  it('round-trips empty data', () => {
    const encoded = encodeChunk(Buffer.alloc(0));
    expect(encoded).toEqual(Buffer.from([CODEC_RAW]));
    expect(decodeChunk(encoded).length).toBe(0);
  });

  it('decodes a chunk that is a view into a larger buffer', () => {
    const text = Buffer.from('abc'.repeat(1000));
    const encoded = encodeChunk(text);
    const framed = Buffer.concat([Buffer.from('xx'), encoded, Buffer.from('yy')]);
    expect(decodeChunk(framed.subarray(2, 2 + encoded.length)).equals(text)).toBe(true);
  });

  it('rejects an unknown header, an empty buffer and a corrupt snappy payload', () => {
    expect(() => decodeChunk(Buffer.from([2, 1, 2, 3]))).toThrow(/unknown codec header 2/);
    expect(() => decodeChunk(Buffer.alloc(0))).toThrow(/empty/);
    const encoded = encodeChunk(Buffer.from('hello hello hello hello hello hello hello'.repeat(100)));
    expect(() => decodeChunk(encoded.subarray(0, encoded.length - 10))).toThrow(/corrupt snappy payload/);
    expect(() => decodeChunk(Buffer.from([CODEC_SNAPPY]))).toThrow(/corrupt snappy payload/);
  });
});
