/**
 * Wire/storage encoding of one chunk: a 1-byte header naming the codec, then the payload.
 *
 * zstd at level 1: on the mixed text-and-binary data of the agent benchmark it keeps ~80% of the bytes
 * where snappy kept ~92%, at about snappy's speed (restic compresses with zstd too). The header lets
 * incompressible data (media, archives, encrypted files: most of a typical backup by volume) be stored
 * as it is, so such chunks cost one byte more and decoding them is a plain view. A chunk's name stays
 * the SHA-256 of the decoded bytes, so the encoding is free to differ between uploads of the same chunk.
 *
 * Header 1 was snappy in builds that never shipped; it is refused like any unknown header.
 */
// The binding is CommonJS loading a native addon, whose names ES module named imports cannot see.
import zstd from 'zstd-napi/binding.js';

const { CCtx, compressBound, CParameter, DCtx, getFrameContentSize } = zstd;

export const CODEC_RAW = 0;
export const CODEC_ZSTD = 2;

const LEVEL = 1;
/**
 * Compression must save at least this fraction of the chunk to be kept: below it, the CPU spent decoding
 * on restore buys too little, and nearly-random data is treated as random.
 */
const MIN_SAVING = 0.03;
/**
 * Compressing incompressible data costs a full pass for nothing, so a chunk larger than this is first
 * judged by SAMPLES samples of SAMPLE_BYTES spread over it, and compressed only if they compress.
 */
const SAMPLED_ABOVE = 64 * 1024;
const SAMPLES = 8;
const SAMPLE_BYTES = 4 * 1024;
/** The largest chunk decodeChunk accepts (the chunker's maximum is 8 MiB): a corrupt size cannot make it allocate more. */
export const MAX_DECODED_BYTES = 16 * 1024 * 1024;

/**
 * One compression context per thread, reused: zstd's tables are allocated once, and output goes into
 * buffers the caller owns, so encoding allocates nothing per chunk (native allocations outside V8's
 * view are what once grew the agent past 500 MiB).
 */
const cctx = new CCtx();
cctx.setParameter(CParameter.compressionLevel, LEVEL);
const dctx = new DCtx();
const sample = Buffer.allocUnsafe(SAMPLES * SAMPLE_BYTES);
const sampleOut = Buffer.allocUnsafe(compressBound(sample.length));

/** The most encodeChunkInto can write for `length` bytes of data. */
export function maxEncodedLength(length: number): number {
  return 1 + compressBound(length);
}

/**
 * Encodes `data` into `out` at `at` (which must have maxEncodedLength(data.length) bytes free) and
 * returns the bytes written: zstd when it saves at least MIN_SAVING, else the bytes as they are.
 */
export function encodeChunkInto(data: Uint8Array, out: Uint8Array, at: number): number {
  const payload = out.subarray(at + 1);
  if (compressible(data)) {
    const compressed = cctx.compress2(payload, data);
    if (compressed <= data.length * (1 - MIN_SAVING)) {
      out[at] = CODEC_ZSTD;
      return 1 + compressed;
    }
  }
  out[at] = CODEC_RAW;
  payload.set(data);
  return 1 + data.length;
}

export function encodeChunk(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(maxEncodedLength(data.length));
  return out.subarray(0, encodeChunkInto(data, out, 0));
}

function compressible(data: Uint8Array): boolean {
  if (data.length <= SAMPLED_ABOVE) return true;
  const stride = Math.floor((data.length - SAMPLE_BYTES) / (SAMPLES - 1));
  for (let i = 0; i < SAMPLES; i++) sample.set(data.subarray(i * stride, i * stride + SAMPLE_BYTES), i * SAMPLE_BYTES);
  return cctx.compress2(sampleOut, sample) <= sample.length * (1 - MIN_SAVING);
}

/**
 * Reverses encodeChunk. A raw chunk is returned as a view into `encoded` (no copy), so do not modify
 * `encoded` while the result is in use; a compressed one is decoded into `into` when given and large
 * enough (a view of it is returned: a verifier that only hashes chunks allocates nothing per chunk),
 * else into a new buffer. Throws on an empty buffer, an unknown codec or a corrupt zstd payload; callers
 * should still compare the SHA-256 of the result with the chunk's name, since a raw payload cannot
 * detect corruption by itself.
 */
export function decodeChunk(encoded: Uint8Array, into?: Buffer): Buffer {
  const codec = encoded[0];
  if (codec === undefined) throw new Error('cannot decode chunk: encoded chunk is empty (missing codec header)');
  const payload = Buffer.from(encoded.buffer, encoded.byteOffset + 1, encoded.length - 1);
  switch (codec) {
    case CODEC_RAW:
      return payload;
    case CODEC_ZSTD:
      return decompress(payload, into);
    default:
      throw new Error(`cannot decode chunk: unknown codec header ${codec} (expected ${CODEC_RAW} raw or ${CODEC_ZSTD} zstd)`);
  }
}

/** A whole zstd frame (as compress2 writes it: the decoded size is in its header), into buffers V8 accounts for. */
function decompress(payload: Buffer, into: Buffer | undefined): Buffer {
  try {
    const size = getFrameContentSize(payload);
    if (size === null || size > MAX_DECODED_BYTES) throw new Error(size === null ? 'the frame does not state its size' : `the frame states ${size} bytes, over the ${MAX_DECODED_BYTES}-byte limit`);
    const out = into && into.length >= size ? into.subarray(0, size) : Buffer.allocUnsafe(size);
    const written = dctx.decompress(out, payload);
    if (written !== size) throw new Error(`the frame decoded to ${written} bytes, not the ${size} its header states`);
    return out;
  } catch (error) {
    throw new Error(`cannot decode chunk: corrupt zstd payload (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}
