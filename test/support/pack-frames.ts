import { encodeChunk } from '../../src-shared/chunk-codec.js';

/** One chunk as a pack upload frames it: the 32-byte name, the encoded length (u32 BE), the encoded bytes. */
export function frame(name: Buffer, content: Buffer): Buffer {
  const encoded = encodeChunk(content);
  const header = Buffer.alloc(36);
  name.copy(header);
  header.writeUInt32BE(encoded.length, 32);
  return Buffer.concat([header, encoded]);
}
