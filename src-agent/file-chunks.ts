/** A file's content-defined chunks, read through two reusable buffers (see readAhead). */
import { open, type FileHandle } from 'node:fs/promises';
import { chunkStream, type Chunk } from './chunker.js';

/** Read size: large reads keep syscalls and per-read overhead negligible. */
export const READ_BYTES = 4 * 1024 * 1024;

export const allocateReadBuffers = (): [Buffer, Buffer] => [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)];

/**
 * The chunks of the file at `filePath`, as views (chunkStream's `borrow`): each is valid until the next
 * is asked for. `buffers` are the caller's, reused file after file: nothing is allocated per chunk.
 */
export async function* chunkFile(filePath: string, buffers: [Buffer, Buffer]): AsyncGenerator<Chunk, void, undefined> {
  const handle = await open(filePath, 'r');
  try {
    yield* chunkStream(readAhead(handle, buffers), { borrow: true });
  } finally {
    await handle.close();
  }
}

/**
 * Reads a file through two alternating buffers, the next read already in flight while the consumer
 * works on the current buffer. chunkStream allows this: it never keeps an input buffer once it asks for
 * the next one.
 */
async function* readAhead(handle: FileHandle, [first, second]: [Buffer, Buffer]): AsyncGenerator<Uint8Array, void, undefined> {
  let current = first;
  let spare = second;
  let reading = handle.read(current, 0, current.length, null);
  try {
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) return;
      reading = handle.read(spare, 0, spare.length, null);
      yield current.subarray(0, bytesRead);
      [current, spare] = [spare, current];
    }
  } finally {
    // A read still in flight must land before the caller closes the file or reuses the buffers.
    await reading.catch(() => undefined);
  }
}
