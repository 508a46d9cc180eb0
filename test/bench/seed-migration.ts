// Issue 12 benchmark: seed-migrating a ~2 GiB client to another server, side by side with `cp -r` of its
// chunk files on the same disk, then the agent's first backup on the new server, side by side with an
// unchanged backup on the old one. Run: npm run bench -- replication (a stage of that bench, run.ts).
//
// Set-up, on what the replication bench leaves (replication.ts): server A holds the data set's client
// (~1.9 GiB backed up, then 1% changed and backed up again), B its replica. This stage:
// - starts server C, fresh, the same way as A and B (the shipped bundle, --http on 127.0.0.1, its data
//   dir in the same temp dir on the same disk), so none of the data is there and all of it travels;
// - backs up the unchanged data set to A once more (the "before" of the second table);
// - the ceiling: `cp -r <A's data dir>/chunks <new dir on the same disk> && sync` (replication.ts's
//   copyCeiling). A's chunk store is this client's alone (its only client). It is taken before the
//   migration, which frees the client's space on A; both read packs in the page cache (the backups just
//   wrote them) after a sync of everything dirty before them;
// - the migration: POST /seed-migrations {clientIds: [the client], target: C with an admin session token
//   of C, fingerprint null (http)}, then GET /seed-migrations/:id every 100 ms until it is no longer
//   running; the time is from the POST to the poll that saw it end. A sends C the chunks C lacks (all),
//   C verifies and stores them, then manifests, schedules, reports and the client's identity follow and
//   A marks the client moved;
// - the agent's next backup of the unchanged data: A answers 410 CLIENT_MOVED, the agent switches to C
//   and backs up there, uploading only what C lacks (nothing).
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import type { Client, List, SeedMigration, SeedMigrationStarted } from '../../src-shared/api/index.js';
import { bytesUnder, chunksUploaded } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import { DataSet } from './data-set.js';
import { printTable } from './format.js';
import { cpuSeconds, type Measured } from './measure.js';
import { answer, bytesUploaded, copyCeiling, mib, percent, rate, secs, sync, timedRun, times, yes, type ReplicationBench } from './replication.js';

interface Backup extends Measured {
  chunks: number;
  bytes: number;
  /** CPU seconds of the old and the new server during the backup. */
  cpuA: number;
  cpuC: number;
}

/** `agent backup --schedule bench`, with the chunks and bytes it uploaded and what both servers spent meanwhile. */
async function backup(agent: ReplicationBench['agent'], a: RunningServer, c: RunningServer): Promise<Backup> {
  const cpuA = cpuSeconds(a.process.pid!);
  const cpuC = cpuSeconds(c.process.pid!);
  const run = await agent('backup', '--schedule', 'bench');
  console.log(`agent: ${run.stdout.trim()}`);
  return { ...run, chunks: chunksUploaded(run.stdout), bytes: bytesUploaded(run.stdout), cpuA: cpuSeconds(a.process.pid!) - cpuA, cpuC: cpuSeconds(c.process.pid!) - cpuC };
}

export async function benchSeedMigration({ root, a, adminA, customer, total, stateDir, agent }: ReplicationBench): Promise<void> {
  const c = await startServer({ dataDir: path.join(root, 'server-c'), args: ['--maintenance-interval', '0'], built: true });
  try {
    const adminC = await new TestClient(c.api).login();
    const clients = (await answer('GET /customers/:id/clients', 200, adminA.get<List<Client>>(`/customers/${customer.id}/clients`))).items;
    if (clients.length !== 1) throw new Error(`expected the bench's one client on A, found ${clients.length}`);
    const clientId = clients[0]!.id;

    console.log('\nseed migration: an unchanged backup on A first ...');
    await sync();
    const before = await backup(agent, a, c);
    const onA = await answer('GET /clients/:id', 200, adminA.get<Client>(`/clients/${clientId}`));
    const chunkDir = path.join(a.dataDir, 'chunks');
    const storedA = await bytesUnder(chunkDir);

    console.log(`the ceiling: cp -r of the client's chunk files (${mib(storedA)}), then sync ...`);
    const ceiling = await copyCeiling(chunkDir, path.join(root, 'seed-ceiling-copy'));

    console.log('seed-migrating the client A → C (a fresh server) ...');
    await sync();
    const target = { url: c.url, token: adminC.token!, fingerprint: c.fingerprint === 'none' ? null : c.fingerprint };
    const run = await timedRun(
      'seed migration',
      { a, b: c },
      async () => (await answer('POST /seed-migrations', 202, adminA.post<SeedMigrationStarted>('/seed-migrations', { clientIds: [clientId], target }))).id,
      async (id) => {
        const m = await answer(`GET /seed-migrations/${id}`, 200, adminA.get<SeedMigration>(`/seed-migrations/${id}`));
        const one = m.clients[0]!;
        return { ended: m.status !== 'running', value: m, progress: `${one.state}: ${mib(one.bytesCopied)} of ${mib(one.bytesTotal)} copied` };
      },
    );
    const seeded = run.last.clients[0]!;
    if (run.last.status !== 'done') throw new Error(`seed migration ${run.last.id} ended ${run.last.status}: ${JSON.stringify(run.last)}\nA: ${a.output().slice(-2000)}\nC: ${c.output().slice(-2000)}`);
    console.log(`  done: ${mib(seeded.bytesCopied)} copied in ${secs(run.seconds)}`);
    const storedC = await bytesUnder(path.join(c.dataDir, 'chunks'));
    const movedA = await answer('GET /clients/:id on A', 200, adminA.get<Client>(`/clients/${clientId}`));
    const onC = await answer('GET /clients/:id on C', 200, adminC.get<Client>(`/clients/${clientId}`));

    console.log('the agent backs up the unchanged data again: it follows the redirect to C ...');
    await sync();
    const after = await backup(agent, a, c);
    const state = JSON.parse(await readFile(path.join(stateDir, 'state.json'), 'utf8')) as { server: { url: string } };

    printTable(
      `seed migration of a client A → C vs cp -r + sync of its chunk files, ${mib(total)} backed up (${DataSet.description}), ${cpus().length} cores`,
      ['', 'seed migration', 'cp -r + sync', 'migration/cp', 'check'],
      [
        ['wall time', secs(run.seconds), secs(ceiling.seconds), times(run.seconds, ceiling.seconds), ''],
        ['bytes moved (copied / cp)', mib(seeded.bytesCopied), mib(ceiling.bytes), times(seeded.bytesCopied, ceiling.bytes), ''],
        ['throughput', rate(seeded.bytesCopied, run.seconds), rate(ceiling.bytes, ceiling.seconds), percent(seeded.bytesCopied / run.seconds, ceiling.bytes / ceiling.seconds), ''],
        ['CPU time: source A / target C', `${secs(run.cpuA)} / ${secs(run.cpuB)}`, secs(ceiling.cpuSeconds), '', ''],
        ['bytes copied of the total C lacked', `${mib(seeded.bytesCopied)} / ${mib(seeded.bytesTotal)}`, '', '', yes(seeded.bytesCopied === seeded.bytesTotal)],
        ['chunk store on disk: A before / C after', `${mib(storedA)} / ${mib(storedC)}`, '', '', ''],
        ["client's space: on A before / on C after", `${mib(onA.spaceUsed)} / ${mib(onC.spaceUsed)}`, '', '', yes(onA.spaceUsed === onC.spaceUsed)],
        ['client on A after: status, space', `${movedA.status}, ${mib(movedA.spaceUsed)}`, '', '', yes(movedA.status === 'moved' && movedA.spaceUsed === 0)],
      ],
    );
    printTable(
      "the agent's first backup after the move (on C, data unchanged) vs an unchanged backup on A before it",
      ['', 'on C after the move', 'on A before', 'C/A', 'check'],
      [
        ['wall time', secs(after.seconds), secs(before.seconds), times(after.seconds, before.seconds), ''],
        ['agent CPU time', secs(after.cpuSeconds), secs(before.cpuSeconds), times(after.cpuSeconds, before.cpuSeconds), ''],
        ['CPU time: server A / server C', `${secs(after.cpuA)} / ${secs(after.cpuC)}`, `${secs(before.cpuA)} / ${secs(before.cpuC)}`, '', ''],
        ['chunks uploaded', after.chunks, before.chunks, '', `${yes(after.chunks === 0)} (= 0)`],
        ['bytes uploaded', mib(after.bytes), mib(before.bytes), '', `${yes(after.bytes <= 0.01 * total)} (≈ 0, ≤ 1% of ${mib(total)})`],
        ["agent's server after the backup", state.server.url === c.url ? 'C' : state.server.url, '', '', yes(state.server.url === c.url)],
      ],
    );
  } finally {
    await c.stop();
  }
}
