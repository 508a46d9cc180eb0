/** Entry of a pack verifier thread (see pack-verifier.ts): checks the packs it is sent, one at a time, and sends each body back. */
import { parentPort } from 'node:worker_threads';
import { MAX_DECODED_BYTES } from '../../src-shared/chunk-codec.js';
import { checkFrames } from './pack-files.js';
import type { VerifyRequest, VerifyResult } from './pack-verifier.js';

const port = parentPort;
if (!port) throw new Error('pack-verifier-thread runs as a worker thread only');
const scratch = Buffer.allocUnsafe(MAX_DECODED_BYTES);
port.on('message', ({ id, buffer, length }: VerifyRequest) => {
  let result: VerifyResult;
  try {
    result = { id, buffer, frames: checkFrames(new Uint8Array(buffer, 0, length), scratch) };
  } catch (error) {
    result = { id, buffer, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(result, [buffer]);
});
