import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CHUNK_FRAME } from '../../src-shared/api/agent.js';
import { decodeChunk } from '../../src-shared/chunk-codec.js';
import { newId } from '../store.js';

export interface FramedChunk {
  hash: string;
  /** The encoded chunk as it is stored (codec header + payload). */
  encoded: Buffer;
}

/** Where one chunk of a pack upload sits in its body. */
export interface FrameRange {
  hash: string;
  /** Byte offset of the encoded chunk (after its frame header) and its length. */
  start: number;
  length: number;
}

/**
 * Splits a pack upload into its chunks and checks each one: the decoded bytes must hash to the chunk's
 * name. Throws on the first bad frame, with a message for the uploader: the whole upload is rejected, so
 * nothing of it is stored. Runs in the verifier threads (pack-verifier.ts); `scratch` takes each decoded
 * chunk in turn.
 */
export function checkFrames(body: Uint8Array, scratch: Buffer): FrameRange[] {
  const frames: FrameRange[] = [];
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  const header = CHUNK_FRAME.hashBytes + CHUNK_FRAME.lengthBytes;
  while (at < bytes.length) {
    if (bytes.length - at < header) throw new Error(`pack: truncated chunk header at byte ${at}.`);
    const hash = bytes.subarray(at, at + CHUNK_FRAME.hashBytes).toString('hex');
    const length = bytes.readUInt32BE(at + CHUNK_FRAME.hashBytes);
    const start = at + header;
    if (length < 1 || start + length > bytes.length) throw new Error(`pack: chunk ${hash} declares ${length} bytes, but the body ends first.`);
    let plain: Buffer;
    try {
      plain = decodeChunk(bytes.subarray(start, start + length), scratch);
    } catch (err) {
      throw new Error(`pack: chunk ${hash} cannot be decoded (${err instanceof Error ? err.message : String(err)}).`);
    }
    if (createHash('sha256').update(plain).digest('hex') !== hash) throw new Error(`pack: chunk ${hash} does not match its name (SHA-256 of its content differs); nothing was stored.`);
    frames.push({ hash, start, length });
    at = start + length;
  }
  return frames;
}

/**
 * The chunk store on disk: `<root>/<owner>/<pack id>`. A pack is written to a temp name, fsynced and
 * renamed, so a file under a final name is always complete; the database says which packs and which
 * byte ranges in them are live, and files it does not know are leftovers of a crash, removed by `sweep`.
 */
export class PackFiles {
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  private dir(owner: string): string {
    return path.join(this.root, owner);
  }

  file(owner: string, packId: string): string {
    return path.join(this.dir(owner), packId);
  }

  /** Writes the chunks as one new pack and returns its id and where each chunk sits in it. */
  async write(owner: string, chunks: readonly Buffer[]): Promise<{ packId: string; bytes: number; offsets: number[] }> {
    const packId = newId('pk');
    const dir = this.dir(owner);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const final = path.join(dir, packId);
    const temp = `${final}.tmp`;
    const file = await open(temp, 'w', 0o600);
    const offsets: number[] = [];
    let bytes = 0;
    try {
      for (const c of chunks) offsets.push((bytes += c.length) - c.length);
      const { bytesWritten } = await file.writev(chunks as Buffer[]);
      if (bytesWritten !== bytes) throw new Error(`short write to pack ${packId}: ${bytesWritten} of ${bytes} bytes`);
      await file.sync();
    } catch (err) {
      await file.close();
      await rm(temp, { force: true });
      throw err;
    }
    await file.close();
    await rename(temp, final);
    await syncDir(dir);
    return { packId, bytes, offsets };
  }

  async read(owner: string, packId: string, offset: number, length: number): Promise<Buffer> {
    const file = await open(this.file(owner, packId), 'r');
    try {
      const out = Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(out, 0, length, offset);
      if (bytesRead !== length) throw new Error(`pack ${packId} of ${owner} is shorter than the database says`);
      return out;
    } finally {
      await file.close();
    }
  }

  async remove(owner: string, packId: string): Promise<void> {
    await rm(this.file(owner, packId), { force: true });
  }

  /** Removes temp files and packs the database does not know (`known(owner, packId)` is false). */
  sweep(known: (owner: string, packId: string) => boolean): number {
    let removed = 0;
    for (const owner of readdirSync(this.root)) {
      const dir = this.dir(owner);
      if (!statSync(dir).isDirectory()) continue;
      for (const name of readdirSync(dir)) {
        if (name.endsWith('.tmp') || !known(owner, name)) {
          unlinkSync(path.join(dir, name));
          removed++;
        }
      }
    }
    return removed;
  }
}

/** fsync the directory so the rename itself survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
