// Issue 11 benchmark: replicating a customer's backup data between two local servers, side by side with
// the ceiling of copying the same chunk files on the same disk, in one run.
// Run: npm run bench -- replication (builds dist/ first).
//
// Set-up, and what each side pays:
// - Servers A (source) and B (replica) are the shipped bundle dist/server/cli.js by plain node, both on
//   127.0.0.1 port 0 with --http (plain HTTP on loopback, as API.md allows for a replica; TLS would add
//   its ciphers to the replication side only). Their data dirs sit in one temp dir, on one disk.
// - The data set is the agent benchmark's (~1.9 GiB, data-set.ts), backed up to A by the shipped agent
//   (dist/agent/cli.js), so A's chunk store holds what the agent made of it: zstd-1 packs of
//   content-defined chunks.
// - Replication: the global configuration of A names B (PUT /replication), then
//   POST /customers/:id/replication/run and GET /jobs/:id polled every 100 ms until done or failed; the
//   time is from the POST to the poll that saw it end. A reads its packs, asks B which chunks it lacks,
//   sends those, and B verifies and stores them (fsync), then manifests, schedules and reports follow.
// - The ceiling: `cp -r <A's data dir>/chunks <new dir on the same disk> && sync`, the least work that
//   puts the same bytes durably on the same disk. Both start from a warm page cache (the backup just
//   wrote the packs) and after a `sync` of everything dirty before them, so neither pays for the other.
// - Then 1% of the data set changes (data-set.ts: 200 small files rewritten, 4 MiB inside 3 big files),
//   the agent backs up again, and A replicates again: the bytes it sends against the bytes changed
//   (target ≤ 1.5×), and the chunks it sends against the chunks the agent uploaded for that change.
// - After each run, B's copy of the customer must account for exactly the space A's does (spaceUsed).
// - Then, when run.ts passes one, a further stage on the same servers, agent and data set: the seed
//   migration of issue 12 (seed-migration.ts), which uses the helpers exported here.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Customer, GlobalReplicationInput, Job, List, ReplicationRunStarted, ReplicationStatus, Reseller } from '../../src-shared/api/index.js';
import { bytesUnder, chunksUploaded } from '../support/agent-process.js';
import { TestClient } from '../support/api-client.js';
import { ADMIN_PASSWORD, startServer, type RunningServer } from '../support/server-process.js';
import { DataSet } from './data-set.js';
import { printTable } from './format.js';
import { build, cpuSeconds, measure, type Measured } from './measure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIB = 1024 * 1024;
const CUSTOMER = 'Replication Bench Customer';
const POLL_MS = 100;
/** A run that has not ended after this long is reported as stuck (the figures would mean nothing). */
const RUN_TIMEOUT_MS = 30 * 60 * 1000;

export const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
export const secs = (s: number) => `${s.toFixed(2)} s`;
export const rate = (bytes: number, seconds: number) => `${(bytes / MIB / seconds).toFixed(1)} MiB/s`;
export const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
export const percent = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
export const yes = (met: boolean) => (met ? 'yes' : 'NO');

export interface Timed<T> {
  seconds: number;
  /** What the poll that saw the end answered. */
  last: T;
  /** CPU seconds of the source and the other server during the run. */
  cpuA: number;
  cpuB: number;
}

/**
 * A server-side run between two servers, timed from `start` (the POST) until the poll, every 100 ms,
 * that sees it end (`poll` says when), with the CPU seconds each server used meanwhile.
 */
export async function timedRun<T>(
  what: string,
  servers: { a: RunningServer; b: RunningServer },
  start: () => Promise<string>,
  poll: (id: string) => Promise<{ ended: boolean; value: T; progress: string }>,
): Promise<Timed<T>> {
  const pidA = servers.a.process.pid!;
  const pidB = servers.b.process.pid!;
  const cpuA = cpuSeconds(pidA);
  const cpuB = cpuSeconds(pidB);
  const began = performance.now();
  const id = await start();
  let logged = began;
  for (;;) {
    const { ended, value, progress } = await poll(id);
    if (ended) return { seconds: (performance.now() - began) / 1000, last: value, cpuA: cpuSeconds(pidA) - cpuA, cpuB: cpuSeconds(pidB) - cpuB };
    if (performance.now() - logged >= 5000) {
      logged = performance.now();
      console.log(`  ${progress}`);
    }
    if (performance.now() - began > RUN_TIMEOUT_MS) throw new Error(`${what} ${id} has not ended after ${RUN_TIMEOUT_MS / 60_000} min: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The body of a call that must answer `status`, else an error naming the call and what it answered. */
export async function answer<T>(call: string, status: number, res: Promise<{ status: number; body: T }>): Promise<T> {
  const { status: got, body } = await res;
  if (got !== status) throw new Error(`${call} answered ${got}: ${JSON.stringify(body)}`);
  return body;
}

type Run = Timed<Job> & { job: Job };

/** One replication run of the customer on A, timed from the POST until its job has ended. */
async function replicate(admin: TestClient, a: RunningServer, b: RunningServer, customerId: string): Promise<Run> {
  const run = await timedRun(
    'replication job',
    { a, b },
    async () => (await answer('POST /customers/:id/replication/run', 202, admin.post<ReplicationRunStarted>(`/customers/${customerId}/replication/run`))).jobId,
    async (id) => {
      const job = await answer(`GET /jobs/${id}`, 200, admin.get<Job>(`/jobs/${id}`));
      return { ended: job.status === 'done' || job.status === 'failed', value: job, progress: `${job.status}: ${job.progress.done}/${job.progress.total} chunks, ${mib(job.progress.bytes)} sent` };
    },
  );
  return { ...run, job: run.last };
}

/** B's copy of the customer: the one of that name with `replicaOf` set, under any reseller. */
async function replicaOn(adminB: TestClient, name: string): Promise<Customer | null> {
  for (const reseller of (await adminB.get<List<Reseller>>('/resellers?limit=1000')).body.items) {
    const found = (await adminB.get<List<Customer>>(`/resellers/${reseller.id}/customers?q=${encodeURIComponent(name)}`)).body.items.find((c) => c.name === name);
    if (found) return found;
  }
  return null;
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: MIB, GiB: 1024 * MIB, TiB: 1024 * 1024 * MIB };

/** The "(N MiB)" after "chunks uploaded" in the agent's backup line (rounded as the agent prints it), or NaN. */
export function bytesUploaded(stdout: string): number {
  const match = /chunks uploaded \(([\d.]+) (B|KiB|MiB|GiB|TiB)\)/.exec(stdout);
  return match ? Number(match[1]) * UNITS[match[2]!]! : NaN;
}

/** Everything the page cache holds dirty goes to disk now, so the next timed step does not pay for it. */
export const sync = () => measure('sync', []);

export interface Ceiling {
  seconds: number;
  cpuSeconds: number;
  /** Bytes of the files copied. */
  bytes: number;
}

/**
 * The ceiling of moving a chunk store: `cp -r <from> <scratch> && sync` on the same disk, after a sync
 * of everything dirty before it; the copy is removed again.
 */
export async function copyCeiling(from: string, scratch: string): Promise<Ceiling> {
  await sync();
  const copy = await measure('sh', ['-c', 'cp -r "$0" "$1" && sync', from, scratch]);
  const bytes = await bytesUnder(scratch);
  await rm(scratch, { recursive: true, force: true });
  return { seconds: copy.seconds, cpuSeconds: copy.cpuSeconds, bytes };
}

/** What a further stage gets of the replication bench: its servers, data set, customer and agent, all still running. */
export interface ReplicationBench {
  /** The bench's temp dir (removed afterwards): room for another server's data dir or a scratch copy. */
  root: string;
  a: RunningServer;
  adminA: TestClient;
  customer: Customer;
  /** Bytes of the data set as the agent backs it up. */
  total: number;
  /** The agent's state dir. */
  stateDir: string;
  /** The shipped agent with that state dir, registered to A with a schedule "bench" of the data set. */
  agent: (...args: string[]) => Promise<Measured>;
}

export async function benchReplication(then?: (bench: ReplicationBench) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'bench-replication-'));
  const data = path.join(root, 'data');
  const stateDir = path.join(root, 'agent-state');
  await build();
  const a = await startServer({ dataDir: path.join(root, 'server-a'), args: ['--maintenance-interval', '0'], built: true });
  const b = await startServer({ dataDir: path.join(root, 'server-b'), args: ['--maintenance-interval', '0'], built: true }).catch(async (error: unknown) => {
    await a.stop();
    throw error;
  });
  try {
    console.log(`generating ${DataSet.description} in ${data} ...`);
    const dataSet = new DataSet(data);
    const total = await dataSet.generate();

    const adminA = await new TestClient(a.api).login();
    const adminB = await new TestClient(b.api).login();
    const reseller = (await adminA.get<List<Reseller>>('/resellers')).body.items[0]!;
    const customer = (await adminA.post<Customer>(`/resellers/${reseller.id}/customers`, { name: CUSTOMER, autoAuthorization: true })).body;
    const agent = (...args: string[]) => measure(process.execPath, [path.join(ROOT, 'dist/agent/cli.js'), ...args, '--state-dir', stateDir]);
    await agent('register', '--server', a.url, '--customer', CUSTOMER, '--name', 'bench');
    await agent('schedule', 'add', '--name', 'bench', '--source', data);
    console.log(`backing up ${mib(total)} to A ...`);
    const firstBackup = await agent('backup', '--schedule', 'bench');
    console.log(`agent: ${firstBackup.stdout.trim()}`);
    const firstUpload = bytesUploaded(firstBackup.stdout);

    const config: GlobalReplicationInput = {
      enabled: true,
      frequency: { kind: 'daily', at: '01:00' },
      bandwidthLimitKBps: null,
      servers: [{ url: b.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: b.fingerprint === 'none' ? null : b.fingerprint }],
    };
    await answer('PUT /replication', 200, adminA.put('/replication', config));

    const chunkDir = path.join(a.dataDir, 'chunks');
    const storedA = await bytesUnder(chunkDir);
    const spaceRows: (string | number)[][] = [];
    /** Checks and records that B's copy uses exactly the space of A's customer. */
    const compareSpace = async (after: string) => {
      const source = (await adminA.get<Customer>(`/customers/${customer.id}`)).body;
      const replica = await replicaOn(adminB, CUSTOMER);
      spaceRows.push([
        after,
        mib(source.spaceUsed),
        replica ? mib(replica.spaceUsed) : 'no replica',
        replica ? `${source.spaceUsed} / ${replica.spaceUsed} B` : '',
        yes(replica?.spaceUsed === source.spaceUsed && replica.replicaOf !== null),
      ]);
    };
    const ended = async (run: Run, what: string) => {
      if (run.job.status === 'done') return;
      const status = await adminA.get<ReplicationStatus>(`/customers/${customer.id}/replication/status`);
      throw new Error(`${what}: replication job ${run.job.id} failed: ${run.job.error}\nstatus: ${JSON.stringify(status.body)}\nA: ${a.output().slice(-2000)}\nB: ${b.output().slice(-2000)}`);
    };

    console.log(`replicating A → B (${mib(storedA)} in A's chunk store) ...`);
    await sync();
    const first = await replicate(adminA, a, b, customer.id);
    await ended(first, 'first run');
    console.log(`  done: ${first.job.progress.done} chunks, ${mib(first.job.progress.bytes)} sent in ${secs(first.seconds)}`);
    await compareSpace('first replication');
    const storedB = await bytesUnder(path.join(b.dataDir, 'chunks'));

    console.log('the ceiling: cp -r of the chunk store, then sync ...');
    const ceiling = await copyCeiling(chunkDir, path.join(root, 'ceiling-copy'));
    const copied = ceiling.bytes;

    const ours = first.job.progress.bytes / first.seconds;
    const theirs = copied / ceiling.seconds;
    printTable(
      `replication A → B vs cp -r + sync of A's chunk store, ${mib(total)} backed up (${DataSet.description}), ${cpus().length} cores`,
      ['', 'replication', 'cp -r + sync', 'replication/cp', 'target met'],
      [
        ['wall time', secs(first.seconds), secs(ceiling.seconds), times(first.seconds, ceiling.seconds), ''],
        ['bytes moved (sent / copied)', mib(first.job.progress.bytes), mib(copied), times(first.job.progress.bytes, copied), ''],
        ['throughput', rate(first.job.progress.bytes, first.seconds), rate(copied, ceiling.seconds), percent(ours, theirs), `${yes(ours >= theirs / 2)} (≥ 50%)`],
        ['CPU time: source A / replica B', `${secs(first.cpuA)} / ${secs(first.cpuB)}`, secs(ceiling.cpuSeconds), '', ''],
        ['chunks sent (of the job total)', `${first.job.progress.done} / ${first.job.progress.total}`, '', '', ''],
        ['chunk store on disk: A / B', `${mib(storedA)} / ${mib(storedB)}`, '', '', ''],
      ],
    );

    // The same way into a server's store from the agent (packs received, every chunk verified, fsync), with chunking and compression on top.
    console.log(`for comparison, the agent's first backup into A: ${mib(firstUpload)} uploaded in ${secs(firstBackup.seconds)}, ${rate(firstUpload, firstBackup.seconds)}`);

    const changed = await dataSet.changeOnePercent();
    console.log(`changed ${mib(changed)} (${((100 * changed) / total).toFixed(2)}% of ${mib(total)}); backing up again ...`);
    const secondBackup = await agent('backup', '--schedule', 'bench');
    console.log(`agent: ${secondBackup.stdout.trim()}`);
    const newChunks = chunksUploaded(secondBackup.stdout);
    const agentBytes = bytesUploaded(secondBackup.stdout);
    console.log('replicating A → B again ...');
    await sync();
    const second = await replicate(adminA, a, b, customer.id);
    await ended(second, 'second run');
    await compareSpace('after changing 1%');

    printTable(
      `replication after changing 1% (${mib(changed)} of files rewritten)`,
      ['', 'replication', 'the change', 'ratio', 'target met'],
      [
        ['bytes sent vs bytes changed', mib(second.job.progress.bytes), mib(changed), times(second.job.progress.bytes, changed), `${yes(second.job.progress.bytes <= 1.5 * changed)} (≤ 1.5×)`],
        ['chunks sent vs chunks the backup uploaded', second.job.progress.done, newChunks, times(second.job.progress.done, newChunks), yes(second.job.progress.done === newChunks)],
        ['bytes sent vs bytes the backup uploaded', mib(second.job.progress.bytes), Number.isFinite(agentBytes) ? mib(agentBytes) : '?', Number.isFinite(agentBytes) ? times(second.job.progress.bytes, agentBytes) : '', ''],
        ['wall time', secs(second.seconds), '', '', ''],
        ['CPU time: source A / replica B', `${secs(second.cpuA)} / ${secs(second.cpuB)}`, '', '', ''],
      ],
    );
    printTable("replica's space: B's copy of the customer against A's customer (spaceUsed)", ['', 'A', 'B', 'exact', 'equal'], spaceRows);
    await then?.({ root, a, adminA, customer, total, stateDir, agent });
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await rm(root, { recursive: true, force: true });
  }
}
