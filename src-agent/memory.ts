/**
 * Getting memory back at the moment the agent knows it is garbage, which V8 cannot tell by itself: when a
 * backup has uploaded everything, its pack, staging and read buffers (about 50 MiB) are dead, but nothing
 * prompts V8 to collect them before the commit builds the manifest's JSON on top. The agent's heap is
 * small, so a full collection takes milliseconds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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

/** A full collection now: call it right after dropping the last references to large buffers. */
export function collectNow(): void {
  gc?.();
}
