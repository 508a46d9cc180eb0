/**
 * Content-defined chunking (FastCDC: gear hash, cut-point skipping, normalized chunking with two masks).
 *
 * A boundary is chosen by the bytes just before it (and its distance from the previous boundary), so an
 * insertion or a change in a file usually replaces only the chunk or two around it and every other
 * chunk keeps its SHA-256 name: that is what makes incremental backups upload only what changed. Boundaries are therefore part of the storage format: changing the
 * gear seed, the masks or the default sizes does not break anything, but it makes the next backup of
 * every client upload everything again.
 */
import { createHash } from 'node:crypto';
import { findCut } from './gear-hash.js';

export interface ChunkerOptions {
  /** No boundary is considered before this many bytes (cut-point skipping). */
  minSize?: number;
  /** Target average; must be a power of two because the masks are built from its bit count. */
  avgSize?: number;
  /** A chunk is cut here when no content-defined boundary was found. */
  maxSize?: number;
  /**
   * Yield views instead of copies: a chunk's `data` then aliases the input buffer or the chunker's
   * scratch buffer and is valid only until the next chunk is requested. For consumers that copy what
   * they keep anyway; it saves an allocation per chunk, which over gigabytes is what fragments the heap.
   */
  borrow?: boolean;
}

export interface Chunk {
  /**
   * A copy owned by the consumer: it never aliases the input buffers or the chunker's scratch buffer
   * (unless the `borrow` option asked for views).
   */
  data: Buffer;
  /** Byte offset of the chunk in the input stream. */
  offset: number;
  /** Lowercase hex SHA-256 of `data`: the chunk's name on the server. */
  hash: string;
}

export const DEFAULT_MIN_CHUNK_SIZE = 512 * 1024;
export const DEFAULT_AVG_CHUNK_SIZE = 1024 * 1024;
export const DEFAULT_MAX_CHUNK_SIZE = 8 * 1024 * 1024;

/**
 * FastCDC's normalization level 2: a mask 2 bits harder than the average before avgSize and 2 bits
 * easier after it, which squeezes chunk sizes towards the average (fewer tiny and huge chunks) without
 * hurting dedup.
 */
const NORMALIZATION_BITS = 2;

/** The scratch buffer starts small and doubles, so a walk over many small files does not allocate maxSize per file. */
const INITIAL_SCRATCH_SIZE = 64 * 1024;

/**
 * A mask of the `bits` highest bits of the 32-bit hash. With `h = (h << 1) + gear[byte]`, bit k of the
 * hash depends only on the last k + 1 bytes, so the high bits see the widest window (up to 32 bytes);
 * with low bits a boundary would be decided by just the last few bytes.
 */
function highBitsMask(bits: number): number {
  return (0xffffffff << (32 - bits)) >>> 0;
}

function resolveOptions(options: ChunkerOptions): Required<Omit<ChunkerOptions, 'borrow'>> {
  const minSize = options.minSize ?? DEFAULT_MIN_CHUNK_SIZE;
  const avgSize = options.avgSize ?? DEFAULT_AVG_CHUNK_SIZE;
  const maxSize = options.maxSize ?? DEFAULT_MAX_CHUNK_SIZE;
  for (const [name, value] of Object.entries({ minSize, avgSize, maxSize })) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`chunker ${name} must be a positive integer, got ${value}`);
  }
  if (!(minSize <= avgSize && avgSize <= maxSize)) {
    throw new RangeError(`chunker sizes must satisfy minSize <= avgSize <= maxSize, got ${minSize}/${avgSize}/${maxSize}`);
  }
  const bits = Math.log2(avgSize);
  // The lower bound keeps the easy mask at least one bit wide; the upper bound keeps the hard mask within 32 bits.
  if (!Number.isInteger(bits) || bits - NORMALIZATION_BITS < 1 || bits + NORMALIZATION_BITS > 32) {
    throw new RangeError(`chunker avgSize must be a power of two between 2^${1 + NORMALIZATION_BITS} and 2^${32 - NORMALIZATION_BITS}, got ${avgSize}`);
  }
  return { minSize, avgSize, maxSize };
}

/**
 * Splits a byte stream into content-defined chunks, e.g. `chunkStream(fs.createReadStream(p, { highWaterMark: 4 << 20 }))`.
 *
 * Memory stays flat whatever the stream length: besides the read buffer being scanned, the chunker keeps
 * at most one unfinished chunk (< maxSize) in a reusable scratch buffer, plus the chunk being yielded.
 * Input buffers are never retained across reads, so a producer may reuse its buffer once it is asked
 * for the next one.
 */
export async function* chunkStream(
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ChunkerOptions = {},
): AsyncGenerator<Chunk, void, undefined> {
  const { minSize, avgSize, maxSize } = resolveOptions(options);
  const bits = Math.log2(avgSize);
  const hardMask = highBitsMask(bits + NORMALIZATION_BITS);
  const easyMask = highBitsMask(bits - NORMALIZATION_BITS);

  const gearState = new Uint32Array(1); // the rolling hash, carried across read buffers
  let scratch = Buffer.alloc(0);
  let pendingLength = 0; // bytes of the unfinished chunk that came from earlier input buffers, held in scratch
  let offset = 0; // stream offset of the unfinished chunk

  // The single copy per chunk: pending bytes from scratch plus the rest straight from the read buffer.
  // Borrowed, a chunk within one read buffer is a view of it, and one that spans buffers is assembled in
  // scratch (which then holds at most maxSize: the pending bytes are less than a chunk).
  const emit = (rest: Uint8Array): Chunk => {
    let chunk: Buffer;
    if (options.borrow && pendingLength === 0) {
      chunk = Buffer.from(rest.buffer, rest.byteOffset, rest.length);
    } else if (options.borrow) {
      reserve(pendingLength + rest.length);
      scratch.set(rest, pendingLength);
      chunk = scratch.subarray(0, pendingLength + rest.length);
    } else {
      chunk = Buffer.allocUnsafe(pendingLength + rest.length);
      scratch.copy(chunk, 0, 0, pendingLength);
      chunk.set(rest, pendingLength);
    }
    const result = { data: chunk, offset, hash: createHash('sha256').update(chunk).digest('hex') };
    offset += chunk.length;
    pendingLength = 0;
    gearState[0] = 0;
    return result;
  };

  // Grows scratch (keeping the pending bytes) so it holds `length` bytes; never beyond maxSize.
  const reserve = (length: number) => {
    if (length <= scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.min(maxSize, Math.max(length, 2 * scratch.length, INITIAL_SCRATCH_SIZE)));
    scratch.copy(grown, 0, 0, pendingLength);
    scratch = grown;
  };

  for await (const data of input) {
    // A Readable with an encoding set yields strings; chunking their UTF-16 would silently change the bytes.
    if (!(data instanceof Uint8Array)) throw new TypeError('chunkStream expects binary input (Buffer or Uint8Array), not strings');
    let chunkStart = 0; // where the unfinished chunk's bytes begin in `data`
    let pos = 0;
    while (pos < data.length) {
      const length = pendingLength + pos - chunkStart;
      if (length < minSize) {
        // Cut-point skipping: no boundary can fall before minSize, so these bytes are not even hashed.
        pos = Math.min(data.length, pos + minSize - length);
        continue;
      }
      const inNormalRegion = length < avgSize;
      const end = Math.min(data.length, pos + (inNormalRegion ? avgSize : maxSize) - length);
      let cut = findCut(data, pos, end, inNormalRegion ? hardMask : easyMask, gearState);
      if (cut < 0 && pendingLength + end - chunkStart === maxSize) cut = end;
      if (cut < 0) {
        pos = end;
      } else {
        yield emit(data.subarray(chunkStart, cut));
        chunkStart = cut;
        pos = cut;
      }
    }
    // Keep the unfinished tail: the producer may overwrite `data` as soon as we ask for more.
    const tail = data.length - chunkStart;
    if (tail > 0) {
      reserve(pendingLength + tail);
      scratch.set(data.subarray(chunkStart), pendingLength);
      pendingLength += tail;
    }
  }
  if (pendingLength > 0) yield emit(new Uint8Array(0));
}
