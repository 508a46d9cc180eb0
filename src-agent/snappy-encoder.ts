/**
 * A snappy compressor (raw block format, as the `snappy` package's compressSync writes and its
 * uncompressSync reads) that writes into a buffer the caller owns.
 *
 * Why not the `snappy` package: its buffers come from the binding's own allocator, outside V8's view,
 * and are freed only when V8 happens to collect their small wrappers; the async API additionally leaves
 * per-thread heaps of freed memory behind. Compressing a couple of gigabytes through it grew the agent
 * to 400–600 MiB. Writing straight into the pack being built allocates nothing per chunk, and the pack
 * buffers are reused for the whole run.
 *
 * The algorithm is snappy's reference one (CompressFragment): 64 KiB blocks, a hash table of 4-byte
 * sequences, and a skip that grows while nothing matches, so incompressible input is crossed quickly.
 */

const BLOCK_SIZE = 1 << 16;
const HASH_BITS = 14;
/** Inputs shorter than this are stored as one literal (what the reference encoder does too). */
const MIN_NON_LITERAL_BLOCK = 17;
/** The match loop stops this far from the block end, so 4-byte loads never read past it. */
const INPUT_MARGIN = 15;

/** The most a snappy encoding of `length` bytes can take (the reference MaxCompressedLength). */
export function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

/**
 * Compresses `src` into `dst` at `at` and returns the bytes written. `dst` must have
 * `maxCompressedLength(src.length)` bytes free from `at`.
 */
export function compressInto(input: Uint8Array, output: Uint8Array, at: number): number {
  // Plain Uint8Array views: on a Buffer, subarray() goes through Buffer's species constructor, which is
  // many times slower, and the literal copies call it for every literal.
  const src = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const dst = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  let pos = at;
  for (let v = src.length; ; v = Math.floor(v / 128)) {
    if (v < 0x80) {
      dst[pos++] = v;
      break;
    }
    dst[pos++] = (v & 0x7f) | 0x80;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const table = new Uint16Array(1 << HASH_BITS);
  for (let start = 0; start < src.length; start += BLOCK_SIZE) {
    const end = Math.min(src.length, start + BLOCK_SIZE);
    pos = end - start < MIN_NON_LITERAL_BLOCK ? literal(src, start, end, dst, pos) : block(src, view, start, end, dst, pos, table);
  }
  return pos - at;
}

/**
 * One block of at most 64 KiB, so every offset fits 16 bits. Plain functions with locals rather than
 * methods: this loop is the agent's second hottest after the chunker, and V8 keeps locals in registers.
 */
function block(src: Uint8Array, view: DataView, start: number, end: number, dst: Uint8Array, at: number, table: Uint16Array): number {
  let pos = at;
  table.fill(0);
  const limit = end - INPUT_MARGIN;
  const shift = 32 - HASH_BITS;
  let nextEmit = start;
  let ip = start + 1;
  let nextHash = Math.imul(view.getUint32(ip, true), 0x1e35a7bd) >>> shift;
  for (;;) {
    // Find a 4-byte match, looking further apart the longer nothing matched (1 byte, then 2, ...).
    let skip = 32;
    let next = ip;
    let candidate: number;
    do {
      ip = next;
      const h = nextHash;
      next = ip + (skip++ >> 5);
      if (next > limit) return literal(src, nextEmit, end, dst, pos);
      nextHash = Math.imul(view.getUint32(next, true), 0x1e35a7bd) >>> shift;
      candidate = start + table[h]!;
      table[h] = ip - start;
    } while (view.getUint32(ip, true) !== view.getUint32(candidate, true));

    pos = literal(src, nextEmit, ip, dst, pos);
    // Emit copies for as long as the bytes right after one copy match again.
    do {
      const base = ip;
      let s = candidate + 4;
      ip += 4;
      while (ip <= end - 4 && view.getUint32(ip, true) === view.getUint32(s, true)) {
        ip += 4;
        s += 4;
      }
      while (ip < end && src[ip] === src[s]) {
        ip++;
        s++;
      }
      pos = copy(base - candidate, ip - base, dst, pos);
      nextEmit = ip;
      if (ip >= limit) return literal(src, nextEmit, end, dst, pos);
      table[Math.imul(view.getUint32(ip - 1, true), 0x1e35a7bd) >>> shift] = ip - 1 - start;
      const h = Math.imul(view.getUint32(ip, true), 0x1e35a7bd) >>> shift;
      candidate = start + table[h]!;
      table[h] = ip - start;
    } while (view.getUint32(ip, true) === view.getUint32(candidate, true));
    ip++;
    nextHash = Math.imul(view.getUint32(ip, true), 0x1e35a7bd) >>> shift;
  }
}

function literal(src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number): number {
  let pos = at;
  const length = to - from;
  if (length === 0) return pos;
  const n = length - 1;
  if (n < 60) {
    dst[pos++] = n << 2;
  } else if (n < 0x100) {
    dst[pos++] = 60 << 2;
    dst[pos++] = n;
  } else {
    // A block is at most 64 KiB, so two length bytes always suffice.
    dst[pos++] = 61 << 2;
    dst[pos++] = n & 0xff;
    dst[pos++] = n >>> 8;
  }
  if (length < 16) {
    for (let i = from; i < to; i++) dst[pos++] = src[i]!;
    return pos;
  }
  dst.set(src.subarray(from, to), pos);
  return pos + length;
}

function copy(offset: number, length: number, dst: Uint8Array, at: number): number {
  let pos = at;
  let left = length;
  // Copies of 64 bytes while more than 67 remain, so the rest never drops below the minimum of 4.
  while (left >= 68) {
    pos = shortCopy(offset, 64, dst, pos);
    left -= 64;
  }
  if (left > 64) {
    pos = shortCopy(offset, 60, dst, pos);
    left -= 60;
  }
  return shortCopy(offset, left, dst, pos);
}

/** One copy element of 4..64 bytes: the 2-byte form when it fits (length < 12, offset < 2048), else 3 bytes. */
function shortCopy(offset: number, length: number, dst: Uint8Array, at: number): number {
  if (length < 12 && offset < 2048) {
    dst[at] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5);
    dst[at + 1] = offset & 0xff;
    return at + 2;
  }
  dst[at] = 2 | ((length - 1) << 2);
  dst[at + 1] = offset & 0xff;
  dst[at + 2] = offset >>> 8;
  return at + 3;
}
