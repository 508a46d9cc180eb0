/**
 * Chunking on a second thread. Reading, gear-hashing and SHA-256 of the files that changed since the last
 * backup are most of an incremental backup's work, and on the one JavaScript thread they ran one file
 * after another while the other core idled. The thread chunks a file and sends back only where each chunk
 * lies and its name: in an incremental backup nearly all of them are known to the server, and the few
 * new ones are read again by the caller (from the page cache) and checked against their names.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../src-shared/worker-thread.js';
import type { ChunkRange, ChunkReply, ChunkRequest } from './chunk-thread.js';

export class ChunkThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (chunks: ChunkRange[]) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  /**
   * The chunks of the file at `filePath`; rejects if it cannot be read or the thread failed, also when the
   * thread cannot even start (async, so that is a rejection the caller falls back on, never a throw).
   */
  async chunk(filePath: string): Promise<ChunkRange[]> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    // Referenced while it owes answers (nothing else may keep the process alive meanwhile), not when idle.
    worker.ref();
    return await new Promise<ChunkRange[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, path: filePath } satisfies ChunkRequest);
    }).finally(() => {
      if (this.pending.size === 0) worker.unref();
    });
  }

  /**
   * Starts the thread ahead of its first file: booting it takes some 100 ms of CPU, better spent while
   * the walk begins than after the first changed file was found. A thread that cannot start is left to
   * `chunk`, which then rejects.
   */
  warm(): void {
    try {
      (this.worker ??= this.start()).unref();
    } catch {
      // chunk() tries again and rejects; the caller reads on its own thread.
    }
  }

  private start(): Worker {
    // Bundled next to the agent's CLI (dist/agent), or the source next to this file.
    const worker = startWorker(new URL('./chunk-thread.js', import.meta.url), new URL('./chunk-thread.ts', import.meta.url));
    worker.on('message', (reply: ChunkReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.chunks);
    });
    const fail = (error: Error) => {
      this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the chunking thread exited with code ${code}`)));
    return worker;
  }
}
