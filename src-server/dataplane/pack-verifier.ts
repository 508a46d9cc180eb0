/**
 * Receiving and checking pack uploads (every chunk decoded and hashed against its name) off the server's
 * one JavaScript thread, which meanwhile keeps answering missing-queries and writing packs.
 *
 * Why this shape, measured on a 590 MiB first backup: verification on the main thread was 2.1 s of its
 * 6 s busy; and a fresh 16 MiB buffer per pack body made V8 collect garbage for "external memory
 * pressure" some 60 times (about 1 s). So bodies are read into buffers from a small pool, which move to
 * a verifier thread and back (transferred, never copied), and the main thread allocates nothing per pack.
 */
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { MAX_PACK_BYTES } from '../../src-shared/api/agent.js';
import { MAX_DECODED_BYTES } from '../../src-shared/chunk-codec.js';
import { startWorker } from '../../src-shared/worker-thread.js';
import { badRequest, payloadTooLarge } from '../errors.js';
import { checkFrames, type FramedChunk, type FrameRange } from './pack-files.js';

export interface VerifyRequest {
  id: number;
  buffer: ArrayBuffer;
  length: number;
}

export type VerifyResult = { id: number; buffer: ArrayBuffer } & ({ frames: FrameRange[] } | { error: string });

/**
 * One thread per core but one (the main thread needs its own), at most 4: a pack is verified at the
 * speed of one core, and an agent uploads a few at a time.
 */
const THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));
/** Size of the pooled body buffers: the agent's packs fit (larger ones, up to MAX_PACK_BYTES, get a buffer of their own). */
export const POOLED_BYTES = 16 * 1024 * 1024;
/** Idle pooled buffers kept for the next uploads; more are allocated while more uploads are in flight. */
const POOL_SIZE = 4;

/** A received pack body: `length` bytes at the start of `buffer`, which the verifier owns. */
export class PackUpload {
  constructor(
    readonly buffer: ArrayBuffer,
    readonly length: number,
  ) {}
}

/** A verified pack: its chunks (views into the body) until `release` hands the body back to the pool. */
export interface VerifiedPack {
  chunks: FramedChunk[];
  release: () => void;
}

interface Thread {
  worker: Worker;
  /** Packs sent and not yet answered. */
  load: number;
}

interface Waiting {
  thread: Thread;
  resolve: (result: VerifyResult) => void;
  reject: (error: Error) => void;
}

/** Bundled next to the server's CLI (dist/server), or the source next to this file. */
const startVerifierThread = () => startWorker(new URL('./pack-verifier-thread.js', import.meta.url), new URL('./pack-verifier-thread.ts', import.meta.url));

const tooLarge = () => payloadTooLarge(`The pack is larger than ${MAX_PACK_BYTES} bytes; send smaller packs.`);

export class PackVerifier {
  private readonly threads: Thread[] = [];
  private readonly pending = new Map<number, Waiting>();
  private readonly idle: ArrayBuffer[] = [];
  private nextId = 1;
  /**
   * Set when no thread could be started (a server bundled without its thread file, and no tsx to run
   * the source): packs are then verified here, slower but still checked, rather than all refused.
   */
  private threadless = false;
  /** Takes each decoded chunk when verifying here. */
  private scratch: Buffer | null = null;

  /** `start`: starts a verifier thread (tests replace it). */
  constructor(private readonly start: () => Worker = startVerifierThread) {}

  /** Reads a pack body (`declared`: its Content-Length, if sent) into a pooled buffer; 413 past MAX_PACK_BYTES. */
  async receive(stream: Readable, declared: number | undefined): Promise<PackUpload> {
    if (declared !== undefined && declared > MAX_PACK_BYTES) throw tooLarge();
    let buffer = this.take(declared ?? POOLED_BYTES);
    let length = 0;
    try {
      for await (const piece of stream as AsyncIterable<Buffer>) {
        const end = length + piece.length;
        if (end > MAX_PACK_BYTES) throw tooLarge();
        if (end > buffer.byteLength) {
          // Sent without a (true) Content-Length: grow, at least doubling.
          const larger = new ArrayBuffer(Math.min(MAX_PACK_BYTES, Math.max(end, 2 * buffer.byteLength)));
          new Uint8Array(larger).set(new Uint8Array(buffer, 0, length));
          this.give(buffer);
          buffer = larger;
        }
        new Uint8Array(buffer, length, piece.length).set(piece);
        length = end;
      }
    } catch (error) {
      this.give(buffer);
      throw error;
    }
    return new PackUpload(buffer, length);
  }

  /**
   * The chunks of `upload`, each checked against its name; rejects with a 400 naming the first bad frame.
   * Takes the upload over: its buffer goes to a verifier thread and comes back in the result.
   */
  async verify(upload: PackUpload): Promise<VerifiedPack> {
    const thread = this.threadless ? null : this.pick();
    if (!thread) return this.verifyHere(upload);
    const id = this.nextId++;
    const result = await new Promise<VerifyResult>((resolve, reject) => {
      this.pending.set(id, { thread, resolve, reject });
      thread.load++;
      thread.worker.postMessage({ id, buffer: upload.buffer, length: upload.length } satisfies VerifyRequest, [upload.buffer]);
    }).finally(() => thread.load--);
    if ('error' in result) {
      this.give(result.buffer);
      throw badRequest('body', result.error);
    }
    return this.verified(result.buffer, upload.length, result.frames);
  }

  /** What a thread does, on this thread (see `threadless`). */
  private verifyHere({ buffer, length }: PackUpload): VerifiedPack {
    let frames: FrameRange[];
    try {
      frames = checkFrames(new Uint8Array(buffer, 0, length), (this.scratch ??= Buffer.allocUnsafe(MAX_DECODED_BYTES)));
    } catch (error) {
      this.give(buffer);
      throw badRequest('body', error instanceof Error ? error.message : String(error));
    }
    return this.verified(buffer, length, frames);
  }

  private verified(buffer: ArrayBuffer, length: number, frames: FrameRange[]): VerifiedPack {
    const body = Buffer.from(buffer, 0, length);
    return {
      chunks: frames.map((f) => ({ hash: f.hash, encoded: body.subarray(f.start, f.start + f.length) })),
      release: () => this.give(buffer),
    };
  }

  private take(size: number): ArrayBuffer {
    return size <= POOLED_BYTES ? (this.idle.pop() ?? new ArrayBuffer(POOLED_BYTES)) : new ArrayBuffer(size);
  }

  private give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === POOLED_BYTES && this.idle.length < POOL_SIZE) this.idle.push(buffer);
  }

  /**
   * An idle thread, else a new one while there are fewer than THREADS, else the least loaded; null when
   * not even one thread can be started (from then on packs are verified here).
   */
  private pick(): Thread | null {
    const idle = this.threads.find((t) => t.load === 0);
    if (idle) return idle;
    if (this.threads.length < THREADS) {
      try {
        return this.spawn();
      } catch {
        if (this.threads.length === 0) {
          this.threadless = true;
          return null;
        }
      }
    }
    return this.threads.reduce((a, b) => (b.load < a.load ? b : a));
  }

  private spawn(): Thread {
    const worker = this.start();
    const thread: Thread = { worker, load: 0 };
    this.threads.push(thread);
    worker.on('message', (result: VerifyResult) => {
      const waiting = this.pending.get(result.id);
      if (!waiting) return;
      this.pending.delete(result.id);
      waiting.resolve(result);
    });
    worker.on('error', (error) => this.lose(thread, error));
    worker.on('exit', (code) => this.lose(thread, new Error(`pack verifier thread exited with code ${code}`)));
    // Threads must not keep the server's process alive once it has stopped serving (a request being
    // verified keeps it alive through its socket). After the listeners: adding one refs the thread again.
    worker.unref();
    return thread;
  }

  /** A thread that died takes its packs with it: they fail (the agent retries them), and a new thread is started on demand. */
  private lose(thread: Thread, error: Error): void {
    const index = this.threads.indexOf(thread);
    if (index < 0) return;
    this.threads.splice(index, 1);
    for (const [id, waiting] of this.pending) {
      if (waiting.thread !== thread) continue;
      this.pending.delete(id);
      waiting.reject(new Error(`verifying a pack failed: ${error.message}`));
    }
  }
}
