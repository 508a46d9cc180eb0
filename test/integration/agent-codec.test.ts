/**
 * The agent's own encoding paths, checked against what the server decodes: pack frames, the chunker's
 * `borrow` mode (views must carry exactly the bytes and hashes of copies), and the chunking thread (the
 * same chunks as on the main thread). These are the pieces the end-to-end tests in agent-backup.test.ts
 * rely on; a failing chunking thread would not fail those (the agent falls back to its main thread).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chunkStream } from '../../src-agent/chunker.js';
import { encodeFrame } from '../../src-agent/uploader.js';
import { CODEC_RAW, CODEC_ZSTD, decodeChunk, maxEncodedLength } from '../../src-shared/chunk-codec.js';
import { pseudoRandom, pseudoText } from '../support/pseudo-random.js';

const MIB = 1024 * 1024;

const text = (length: number, seed: number) => pseudoText(seed, length);

describe('pack frames', () => {
  it('frame a chunk as hash, length and an encoded chunk that decodes to it: zstd when it pays, raw otherwise', () => {
    for (const [data, codec] of [
      [text(MIB, 9), CODEC_ZSTD],
      [pseudoRandom(10, MIB), CODEC_RAW],
      [text(1000, 11), CODEC_ZSTD],
      [Buffer.from('tiny'), CODEC_RAW],
    ] as const) {
      const hash = createHash('sha256').update(data).digest('hex');
      const out = Buffer.alloc(36 + maxEncodedLength(data.length));
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

describe('the chunking thread', () => {
  it('finds the same chunks as chunkStream on the main thread, and reports a file it cannot read', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'chunk-thread-'));
    try {
      const file = path.join(dir, 'data.bin');
      const data = Buffer.concat([pseudoRandom(21, 6 * MIB), text(2 * MIB, 22), pseudoRandom(23, 3 * MIB + 5)]);
      await writeFile(file, data);
      const expected: { hash: string; offset: number; length: number }[] = [];
      for await (const chunk of chunkStream([data])) expected.push({ hash: chunk.hash, offset: chunk.offset, length: chunk.data.length });
      // A process of its own, as the agent runs it: the thread is started from its TypeScript source through tsx.
      const script = `import { ChunkThread } from ${JSON.stringify(path.resolve('src-agent/chunk-offload.ts'))};
        const thread = new ChunkThread();
        const chunks = await thread.chunk(${JSON.stringify(file)});
        const error = await thread.chunk(${JSON.stringify(path.join(dir, 'missing'))}).then(() => null, (e) => e.message);
        console.log(JSON.stringify({ chunks, error }));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
      const result = JSON.parse(stdout) as { chunks: unknown; error: string };
      expect(result.chunks).toEqual(expected);
      expect(result.error).toMatch(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
