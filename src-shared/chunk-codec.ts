/**
 * Wire/storage encoding of one chunk: a 1-byte header naming the codec, then the payload.
 *
 * The header lets the agent store incompressible data (media, archives, encrypted files: most of a typical
 * backup by volume) as it is, so such chunks cost one byte more instead of snappy's few-bytes-per-64-KiB
 * growth, and decoding them is a plain view. The chunk's name stays the SHA-256 of the decoded bytes, so
 * the encoding is free to differ between uploads of the same chunk.
 */
import { compressSync, uncompressSync } from 'snappy';

export const CODEC_RAW = 0;
export const CODEC_SNAPPY = 1;

/**
 * Compression must save at least this fraction of the chunk to be kept: below it, the server's CPU on
 * restore and the bytes saved are not worth it, and nearly-random data is treated as random.
 */
const MIN_SAVING = 0.03;

export function encodeChunk(data: Uint8Array): Buffer {
  const compressed = compressSync(data);
  if (compressed.length <= data.length * (1 - MIN_SAVING)) {
    const encoded = Buffer.allocUnsafe(1 + compressed.length);
    encoded[0] = CODEC_SNAPPY;
    compressed.copy(encoded, 1);
    return encoded;
  }
  const encoded = Buffer.allocUnsafe(1 + data.length);
  encoded[0] = CODEC_RAW;
  encoded.set(data, 1);
  return encoded;
}

/**
 * Reverses encodeChunk. A raw chunk is returned as a view into `encoded` (no copy), so do not modify
 * `encoded` while the result is in use. Throws on an empty buffer, an unknown codec or a corrupt snappy
 * payload; callers should still compare the SHA-256 of the result with the chunk's name, since a raw
 * payload cannot detect corruption by itself.
 */
export function decodeChunk(encoded: Uint8Array): Buffer {
  const codec = encoded[0];
  if (codec === undefined) throw new Error('cannot decode chunk: encoded chunk is empty (missing codec header)');
  const payload = Buffer.from(encoded.buffer, encoded.byteOffset + 1, encoded.length - 1);
  switch (codec) {
    case CODEC_RAW:
      return payload;
    case CODEC_SNAPPY: {
      let decoded: string | Buffer;
      try {
        decoded = uncompressSync(payload, { asBuffer: true });
      } catch (error) {
        throw new Error(`cannot decode chunk: corrupt snappy payload (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
      // asBuffer: true always yields a Buffer; the check narrows the library's `string | Buffer` type honestly.
      if (typeof decoded === 'string') throw new Error('cannot decode chunk: snappy returned a string');
      return decoded;
    }
    default:
      throw new Error(`cannot decode chunk: unknown codec header ${codec} (expected ${CODEC_RAW} raw or ${CODEC_SNAPPY} snappy)`);
  }
}
