import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PackVerifier } from '../../src-server/dataplane/pack-verifier.js';
import { frame } from '../support/pack-frames.js';
import { pseudoRandom } from '../support/pseudo-random.js';

/** A pack body: its chunks framed one after the other. */
const pack = (chunks: { name: Buffer; content: Buffer }[]) => Buffer.concat(chunks.map(({ name, content }) => frame(name, content)));
const named = (content: Buffer) => ({ name: createHash('sha256').update(content).digest(), content });

describe('PackVerifier without threads', () => {
  // A server bundled without its thread file and without tsx: starting a thread throws.
  const verifier = new PackVerifier(() => {
    throw new Error('no verifier thread here');
  });

  it('checks packs on its own thread: good chunks come back, a chunk that is not what its name says is a 400', async () => {
    const contents = [pseudoRandom(1, 300_000), Buffer.from('text '.repeat(10_000))];
    const good = pack(contents.map(named));
    const verified = await verifier.verify(await verifier.receive(Readable.from([good.subarray(0, 1000), good.subarray(1000)]), good.length));
    expect(verified.chunks.map((c) => c.hash)).toEqual(contents.map((c) => named(c).name.toString('hex')));
    verified.release();

    const forged = pack([{ name: named(contents[0]!).name, content: Buffer.from('something else') }]);
    await expect(verifier.verify(await verifier.receive(Readable.from([forged]), forged.length))).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /does not match its name/ });
  });
});
