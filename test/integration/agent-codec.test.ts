/**
 * The agent's own encoding paths, checked against what the server decodes: the JavaScript snappy
 * encoder (its output must be what chunk-codec's decodeChunk, i.e. the `snappy` package, reads), pack
 * frames, and the chunker's `borrow` mode (views must carry exactly the bytes and hashes of copies).
 * No processes: these are the pieces the end-to-end tests in agent-backup.test.ts rely on.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkStream } from '../../src-agent/chunker.js';
import { compressInto, maxCompressedLength } from '../../src-agent/snappy-encoder.js';
import { encodeFrame } from '../../src-agent/uploader.js';
import { CODEC_RAW, CODEC_SNAPPY, decodeChunk } from '../../src-shared/chunk-codec.js';
import { pseudoRandom } from '../support/pseudo-random.js';

const MIB = 1024 * 1024;

/** Text with repeats at every distance a 64 KiB block allows, like logs. */
function text(length: number, seed: number): Buffer {
  const words = ['backup', 'server', 'client', 'chunk', 'restore', 'quota', 'policy', 'manifest', 'pack', 'agent'];
  const random = pseudoRandom(seed, length);
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${words[random[i % length]! % words.length]}${random[(i + 1) % length]! % 100} `;
  return Buffer.from(out.slice(0, length));
}

/** Bytes drawn from a tiny alphabet: many short matches, the encoder's hardest case. */
function lowEntropy(length: number, seed: number): Buffer {
  const random = pseudoRandom(seed, length);
  for (let i = 0; i < length; i++) random[i] = 97 + (random[i]! % 3);
  return random;
}

const INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['1 byte', Buffer.from('a')],
  ['16 bytes', Buffer.from('abcdabcdabcdabcd')],
  ['17 bytes', Buffer.from('abcdabcdabcdabcda')],
  ['3 MiB of zeros', Buffer.alloc(3 * MIB)],
  ['1 MiB random', pseudoRandom(1, MIB)],
  ['1 MiB text', text(MIB, 2)],
  ['low entropy', lowEntropy(300_000, 3)],
  ['mixed across block boundaries', Buffer.concat([text(70_000, 4), pseudoRandom(5, 70_001), text(200_000, 6)])],
  ['long repeat', Buffer.from('xy'.repeat(100_000))],
  ...Array.from({ length: 20 }, (_, i): [string, Buffer] => [`random length ${i}`, lowEntropy(1 + ((i * 7919) % 200_000), 100 + i)]),
];

describe('snappy encoder', () => {
  it.each(INPUTS)('%s: decodes back exactly, within maxCompressedLength', (_name, data) => {
    const out = Buffer.alloc(1 + maxCompressedLength(data.length) + 8);
    out[0] = CODEC_SNAPPY;
    const length = compressInto(data, out, 1);
    expect(length).toBeLessThanOrEqual(maxCompressedLength(data.length));
    expect(decodeChunk(out.subarray(0, 1 + length)).equals(data)).toBe(true);
  });

  it('compresses text and repeats, and leaves random data at its size', () => {
    const ratio = (data: Buffer) => compressInto(data, Buffer.alloc(maxCompressedLength(data.length)), 0) / data.length;
    expect(ratio(text(MIB, 7))).toBeLessThan(0.5);
    expect(ratio(Buffer.alloc(MIB))).toBeLessThan(0.06);
    expect(ratio(pseudoRandom(8, MIB))).toBeGreaterThan(1);
  });
});

describe('pack frames', () => {
  it('frame a chunk as hash, length and an encoded chunk that decodes to it: snappy when it pays, raw otherwise', () => {
    for (const [data, codec] of [
      [text(MIB, 9), CODEC_SNAPPY],
      [pseudoRandom(10, MIB), CODEC_RAW],
      [text(1000, 11), CODEC_SNAPPY],
      // Random but for a stretch of zeros between two of the 8 samples: judged by the samples, stored raw.
      [Buffer.from(pseudoRandom(12, MIB).fill(0, 10 * 1024, 140 * 1024)), CODEC_RAW],
      [Buffer.from('tiny'), CODEC_RAW],
    ] as const) {
      const hash = createHash('sha256').update(data).digest('hex');
      const out = Buffer.alloc(37 + maxCompressedLength(data.length));
      const length = encodeFrame(hash, data, out, 0);
      expect(out.subarray(0, 32).toString('hex')).toBe(hash);
      expect(out.readUInt32BE(32)).toBe(length - 36);
      expect(out[36]).toBe(codec);
      expect(decodeChunk(out.subarray(36, length)).equals(data)).toBe(true);
    }
  });
});

describe('chunkStream borrow mode', () => {
  it('yields the same bytes, offsets and hashes as copies, whatever the read sizes', async () => {
    const data = Buffer.concat([pseudoRandom(13, 9 * MIB), text(3 * MIB, 14), pseudoRandom(15, 5 * MIB + 17)]);
    const collect = async (borrow: boolean, readSize: number) => {
      // One reused read buffer, as the agent reads: any chunk kept past its turn would be overwritten.
      const buffer = Buffer.alloc(readSize);
      async function* reads() {
        for (let at = 0; at < data.length; at += readSize) {
          const n = data.copy(buffer, 0, at, at + readSize);
          yield buffer.subarray(0, n);
        }
      }
      const chunks: { offset: number; hash: string; sha: string }[] = [];
      for await (const chunk of chunkStream(reads(), { borrow })) {
        chunks.push({ offset: chunk.offset, hash: chunk.hash, sha: createHash('sha256').update(chunk.data).digest('hex') });
      }
      return chunks;
    };
    const copies = await collect(false, 4 * MIB);
    for (const readSize of [4 * MIB, 1 * MIB + 3, 64 * 1024]) {
      const borrowed = await collect(true, readSize);
      expect(borrowed).toEqual(copies);
      expect(borrowed.every((c) => c.hash === c.sha)).toBe(true);
    }
  });
});
