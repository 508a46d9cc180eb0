/**
 * Getting memory back at the moments the agent knows it is garbage, which V8 cannot tell by itself:
 *
 * - The snappy binding (used through chunk-codec's decodeChunk when restoring) returns buffers from its
 *   own native allocator; V8 counts only their small JS wrappers, so it sees no reason to collect them,
 *   and a restore that decodes gigabytes piles up that much native garbage (measured with the binding
 *   alone: over 1 GiB of RSS after decoding 1 GiB in a loop). Callers report the native bytes they let
 *   go of; every NATIVE_GARBAGE_LIMIT bytes a full collection frees them. (Backups compress with
 *   snappy-encoder.ts into buffers they own and do not have this problem.)
 * - When a backup has uploaded everything, its pack, staging and read buffers (about 50 MiB) are dead,
 *   but nothing prompts V8 to collect them before the commit builds the manifest's JSON on top.
 *
 * The agent's heap is small, so a full collection takes milliseconds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const NATIVE_GARBAGE_LIMIT = 32 * 1024 * 1024;

/**
 * `gc` without starting node with --expose-gc: the flag is honoured by contexts created after it is set.
 * Null if the runtime refuses, and then the garbage waits for V8's own schedule.
 */
const gc: (() => void) | null = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const collect: unknown = runInNewContext('gc');
    return typeof collect === 'function' ? () => void collect() : null;
  } catch {
    return null;
  }
})();

let garbage = 0;

/** Reports `bytes` of native buffers that are (or are about to be) unreferenced. */
export function nativeGarbage(bytes: number): void {
  garbage += bytes;
  if (garbage < NATIVE_GARBAGE_LIMIT) return;
  garbage = 0;
  gc?.();
}

/** A full collection now: call it right after dropping the last references to large buffers. */
export function collectNow(): void {
  garbage = 0;
  gc?.();
}
