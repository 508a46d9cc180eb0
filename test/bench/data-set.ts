// The benchmarks' data set (issue 3's agent benchmark, reused by the replication benchmark): ~1.9 GiB of
// deterministic files, 20,000 small ones of 1–64 KiB (half text) and 5 big ones of 128–384 MiB (30% text),
// and the "1% change" applied to it between two backups. Same seeds, same bytes, on every run and machine.
// The retention benchmark makes 365 days of history from a data set scaled down (fewer small files, smaller
// big ones, smaller changes: the same mix) and a different 1% on each day (`round`).
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const KIB = 1024;
const MIB = 1024 * KIB;
const SMALL_FILES = 20_000;
const SMALL_FILES_PER_DIR = 100;
const BIG_FILES_MIB = [128, 192, 256, 320, 384];
/** Small files are made of 4 KiB blocks, half text (compressible), half random bytes. */
const SMALL_BLOCK = 4 * KIB;
const SMALL_TEXT_SHARE = 0.5;
/** Big files are made of 1 MiB blocks, 30% text: a mix of media-like and log/database-like content. */
const BIG_BLOCK = MIB;
const BIG_TEXT_SHARE = 0.3;
/** The 1% change: every 100th small file rewritten, and this much overwritten in each of the first 3 big files. */
const CHANGED_SMALL_EVERY = 100;
const CHANGED_BIG_BYTES = 4 * MIB;

/** Deterministic bytes fast enough for gigabytes: the AES-128-CTR keystream of a seed. */
class Keystream {
  private readonly cipher;
  /** Numbers for next() come from their own buffered slice of the stream: one cipher call per 16,384 of them. */
  private numbers: Buffer = Buffer.alloc(0);
  private at = 0;
  constructor(seed: string) {
    const key = createHash('sha256').update(seed).digest();
    this.cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  }
  bytes(length: number): Buffer {
    return this.cipher.update(Buffer.alloc(length));
  }
  /** A float in [0, 1). */
  next(): number {
    if (this.at + 4 > this.numbers.length) {
      this.numbers = this.bytes(64 * KIB);
      this.at = 0;
    }
    const value = this.numbers.readUInt32BE(this.at) / 2 ** 32;
    this.at += 4;
    return value;
  }
}

/** 16 MiB of log-like text from a vocabulary of made-up words; text blocks are slices of it. */
function textCorpus(random: Keystream): Buffer {
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  const vocabulary = Array.from({ length: 4000 }, () => {
    const length = 2 + Math.floor(random.next() * 9);
    let word = '';
    for (let i = 0; i < length; i++) word += letters[Math.floor(random.next() ** 2 * letters.length)];
    return word;
  });
  const parts: string[] = [];
  let size = 0;
  let line = 0;
  while (size < 16 * MIB) {
    const words = Array.from({ length: 6 + Math.floor(random.next() * 10) }, () => vocabulary[Math.floor(random.next() ** 1.5 * vocabulary.length)]);
    const text = `2024-0${1 + (line % 9)}-${10 + (line % 18)} ${String(line % 86400).padStart(5, '0')} ${words.join(' ')} id=${Math.floor(random.next() * 1e6)}\n`;
    parts.push(text);
    size += text.length;
    line++;
  }
  return Buffer.from(parts.join(''));
}

function content(size: number, blockSize: number, textShare: number, random: Keystream, corpus: Buffer): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += blockSize) {
    const length = Math.min(blockSize, size - at);
    if (random.next() < textShare) {
      const from = Math.floor(random.next() * (corpus.length - length));
      corpus.copy(out, at, from, from + length);
    } else {
      random.bytes(length).copy(out, at);
    }
  }
  return out;
}

const smallFilePath = (data: string, i: number) => path.join(data, 'small', `d${String(Math.floor(i / SMALL_FILES_PER_DIR)).padStart(3, '0')}`, `f${String(i).padStart(5, '0')}.dat`);

/** The data set's size: the full one (scale 1), or every count and size divided by `scale`. */
class Shape {
  readonly smallFiles: number;
  readonly bigFileBytes: number[];
  readonly changedBigBytes: number;
  constructor(readonly scale: number) {
    this.smallFiles = Math.round(SMALL_FILES / scale);
    this.bigFileBytes = BIG_FILES_MIB.map((mib) => Math.round((mib * MIB) / scale));
    this.changedBigBytes = Math.round(CHANGED_BIG_BYTES / scale);
  }
}

async function generate(data: string, corpus: Buffer, shape: Shape): Promise<number> {
  const random = new Keystream('bench data v1');
  let total = 0;
  for (let d = 0; d < Math.ceil(shape.smallFiles / SMALL_FILES_PER_DIR); d++) await mkdir(path.join(data, 'small', `d${String(d).padStart(3, '0')}`), { recursive: true });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < shape.smallFiles; i++) {
    const size = 1 * KIB + Math.floor(random.next() * 63 * KIB);
    total += size;
    writes.push(writeFile(smallFilePath(data, i), content(size, SMALL_BLOCK, SMALL_TEXT_SHARE, random, corpus)));
    if (writes.length >= 64) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  await mkdir(path.join(data, 'big'));
  for (const [i, bytes] of shape.bigFileBytes.entries()) {
    const file = await open(path.join(data, 'big', `image-${i}.bin`), 'w');
    for (let written = 0; written < bytes; written += 16 * MIB) await file.write(content(Math.min(16 * MIB, bytes - written), BIG_BLOCK, BIG_TEXT_SHARE, random, corpus));
    await file.close();
    total += bytes;
  }
  return total;
}

/**
 * Changes about 1% of the data: rewrites every 100th small file, overwrites 4 MiB (scaled) inside the first
 * 3 big files. Round 0 is the agent benchmark's change; each later round rewrites the next small files and
 * the next stretch of the big ones, with bytes of its own.
 */
async function changeOnePercent(data: string, corpus: Buffer, shape: Shape, round: number): Promise<number> {
  const random = new Keystream(round === 0 ? 'bench change v1' : `bench change v1 round ${round}`);
  let changed = 0;
  for (let i = round % CHANGED_SMALL_EVERY; i < shape.smallFiles; i += CHANGED_SMALL_EVERY) {
    const file = smallFilePath(data, i);
    const { size } = await stat(file);
    await writeFile(file, content(size, SMALL_BLOCK, SMALL_TEXT_SHARE, random, corpus));
    changed += size;
  }
  for (let i = 0; i < 3; i++) {
    const file = await open(path.join(data, 'big', `image-${i}.bin`), 'r+');
    const size = shape.bigFileBytes[i]!;
    const at = (Math.floor(size / 3) + round * shape.changedBigBytes) % (size - shape.changedBigBytes);
    await file.write(content(shape.changedBigBytes, BIG_BLOCK, BIG_TEXT_SHARE, random, corpus), 0, shape.changedBigBytes, at);
    await file.close();
    changed += shape.changedBigBytes;
  }
  return changed;
}

/**
 * A folder of the data set, full size or scaled down by `scale`: `generate` fills it (returning its size
 * in bytes), `changeOnePercent` edits it (returning the bytes rewritten).
 */
export class DataSet {
  private readonly corpus = textCorpus(new Keystream('bench corpus v1'));
  private readonly shape: Shape;
  constructor(
    readonly dir: string,
    scale = 1,
  ) {
    this.shape = new Shape(scale);
  }
  generate(): Promise<number> {
    return generate(this.dir, this.corpus, this.shape);
  }
  changeOnePercent(round = 0): Promise<number> {
    return changeOnePercent(this.dir, this.corpus, this.shape, round);
  }
  /** "20000 small files, 5 files of 128/192/256/320/384 MiB" (scale 1) */
  static describe(scale = 1): string {
    const shape = new Shape(scale);
    const mib = (bytes: number) => String(+(bytes / MIB).toFixed(1));
    return `${shape.smallFiles} small files, ${shape.bigFileBytes.length} files of ${shape.bigFileBytes.map(mib).join('/')} MiB${scale === 1 ? '' : ` (the agent benchmark's data set scaled down ${scale}×)`}`;
  }
  static get description(): string {
    return DataSet.describe();
  }
}
