/** Entry of the agent's chunking thread (see chunk-offload.ts): chunks the files it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { allocateReadBuffers, chunkFile } from './file-chunks.js';

export interface ChunkRequest {
  id: number;
  path: string;
}

/** Where a chunk lies in the file, and its name. */
export interface ChunkRange {
  hash: string;
  offset: number;
  length: number;
}

export type ChunkReply = { id: number; chunks: ChunkRange[] } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('chunk-thread runs as a worker thread only');
const buffers = allocateReadBuffers();
/** Requests are handled one after the other: they share the read buffers. */
let queue = Promise.resolve();
port.on('message', (request: ChunkRequest) => {
  queue = queue.then(async () => port.postMessage(await chunkRanges(request)));
});

async function chunkRanges({ id, path }: ChunkRequest): Promise<ChunkReply> {
  try {
    const chunks: ChunkRange[] = [];
    for await (const chunk of chunkFile(path, buffers)) chunks.push({ hash: chunk.hash, offset: chunk.offset, length: chunk.data.length });
    return { id, chunks };
  } catch (error) {
    return { id, error: error instanceof Error ? error.message : String(error) };
  }
}
