import type { MissingResult, PackStored } from '../../src-shared/api/agent.js';
import { CHUNK_FRAME } from '../../src-shared/api/agent.js';
import type { ChunkRow } from '../dataplane/chunk-index.js';
import type { PackFiles } from '../dataplane/pack-files.js';
import { POOLED_BYTES } from '../dataplane/pack-verifier.js';
import type { Store } from '../store.js';
import { PEER_SOCKETS, type PeerClient } from './peer-client.js';

/** Hashes per missing-query: the agent's batch size too. */
const MISSING_BATCH = 10_000;
/**
 * Chunk bytes per pack sent: as much as fills one pooled receive buffer of the replica (its frame headers
 * fit in the last MiB). Each pack costs the replica a transaction, a file and its fsyncs: 8 MiB packs
 * left its main thread the bottleneck (the benchmark's replica CPU fell from about 10.6 s to 7.4–8.3 s).
 */
const PACK_BYTES = POOLED_BYTES - 1024 * 1024;
const MIN_PACK_BYTES = 64 * 1024;

/**
 * Under a bandwidth limit a pack holds about a second's worth, so progress (counted per pack stored)
 * moves every few seconds however low the limit.
 */
export const packBytesFor = (limitKBps: number | null) => (limitKBps === null ? PACK_BYTES : Math.max(MIN_PACK_BYTES, Math.min(PACK_BYTES, limitKBps * 1024)));

export interface Sent {
  chunks: number;
  bytes: number;
}

/**
 * Server to server chunk transfer (replication, and seed migration after it): asks the other server which of
 * `chunks` of `owner` it lacks, exactly as an agent does, and sends only those, as framed packs to
 * `${base}/packs?schedule=…` — each counted there against the schedule `chunks` names. Chunks
 * are read by pack, adjacent ranges in one read. `progress` hears of every pack once the peer stored it.
 */
export async function sendMissingChunks(options: {
  store: Store;
  packs: PackFiles;
  peer: PeerClient;
  base: string;
  owner: string;
  /** The chunks to offer, each with the peer's schedule it is counted against there (CopySource.chunkSchedules). */
  chunks: ReadonlyMap<string, string>;
  packBytes: number;
  /** What was sent so far, of all that is to be sent (chunks and bytes the peer lacked). */
  progress: (sent: Sent, total: Sent) => void;
  stopped: () => boolean;
}): Promise<Sent> {
  const { store, packs, peer, base, owner } = options;
  const missing: string[] = [];
  const hashes = [...options.chunks.keys()];
  for (let i = 0; i < hashes.length; i += MISSING_BATCH) {
    const answer = await peer.json<MissingResult>('POST', `${base}/missing`, { hashes: hashes.slice(i, i + MISSING_BATCH) });
    missing.push(...answer.missing);
  }
  const found = store.all<ChunkRow>(
    'SELECT hash, pack_id, offset, length, schedule_id FROM chunks WHERE owner = ? AND hash IN (SELECT value FROM json_each(?))',
    owner,
    JSON.stringify(missing),
  );
  // Packs go per schedule of the peer's, each read in pack order.
  const order = (a: ChunkRow, b: ChunkRow) => (a.schedule_id < b.schedule_id ? -1 : a.schedule_id > b.schedule_id ? 1 : a.pack_id < b.pack_id ? -1 : a.pack_id > b.pack_id ? 1 : a.offset - b.offset);
  const rows = found.map((r) => ({ ...r, schedule_id: options.chunks.get(r.hash)! })).sort(order);
  const sent: Sent = { chunks: 0, bytes: 0 };
  const total: Sent = { chunks: rows.length, bytes: rows.reduce((n, r) => n + r.length, 0) };
  options.progress(sent, total);
  const batches = packBatches(rows, options.packBytes);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      if (options.stopped()) throw new Error('The server is stopping; the run goes on from here next time.');
      const batch = batches[next++]!;
      const parts = await framed(packs, owner, batch);
      await peer.upload<PackStored>(`${base}/packs?schedule=${encodeURIComponent(batch[0]!.schedule_id)}`, parts);
      sent.chunks += batch.length;
      sent.bytes += batch.reduce((n, c) => n + c.length, 0);
      options.progress(sent, total);
    }
  };
  await Promise.all(Array.from({ length: PEER_SOCKETS }, worker));
  return sent;
}

/** Rows cut into packs of one schedule each, up to `packBytes` (a larger chunk goes alone). */
function packBatches(rows: readonly ChunkRow[], packBytes: number): ChunkRow[][] {
  const batches: ChunkRow[][] = [];
  let current: ChunkRow[] = [];
  let size = 0;
  for (const row of rows) {
    if (current.length && (size + row.length > packBytes || current[0]!.schedule_id !== row.schedule_id)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += row.length;
  }
  if (current.length) batches.push(current);
  return batches;
}

/** A pack body: [hash][length][encoded chunk] per chunk (CHUNK_FRAME), read with one read per run of adjacent chunks. */
async function framed(packs: PackFiles, owner: string, batch: readonly ChunkRow[]): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for (let i = 0; i < batch.length; ) {
    let end = i + 1;
    while (end < batch.length && batch[end]!.pack_id === batch[i]!.pack_id && batch[end]!.offset === batch[end - 1]!.offset + batch[end - 1]!.length) end++;
    const first = batch[i]!;
    const last = batch[end - 1]!;
    const data = await packs.read(owner, first.pack_id, first.offset, last.offset + last.length - first.offset);
    for (let k = i; k < end; k++) {
      const c = batch[k]!;
      const header = Buffer.allocUnsafe(CHUNK_FRAME.hashBytes + CHUNK_FRAME.lengthBytes);
      header.write(c.hash, 0, 'hex');
      header.writeUInt32BE(c.length, CHUNK_FRAME.hashBytes);
      parts.push(header, data.subarray(c.offset - first.offset, c.offset - first.offset + c.length));
    }
    i = end;
  }
  return parts;
}
