// Issue 3 benchmark: the backup agent against restic on the same ~2 GiB of generated files: wall time of
// a first backup, of a backup after changing 1% of the data, and of a backup with nothing changed; bytes
// stored; peak memory. Run: npx tsx -e "import('./test/bench/agent-vs-restic.ts').then(m=>m.benchAgentVsRestic())"
//
// Fair settings, and what each side pays:
// - Both read the same files from a warm page cache (just generated), on the same machine and cores.
// - The agent and the server are the real CLI processes as shipped: dist/agent/cli.js and
//   dist/server/cli.js from `npm run build` (run first), by plain node. (Under tsx, as `npm run agent`
//   runs it in development, the transpiler adds about 30 MiB and half a second to every start; the last
//   row shows one such run.) The agent talks HTTP to the server on 127.0.0.1 (--http), which decodes and
//   SHA-256-checks every chunk and fsyncs every pack: the server's CPU counts against the agent's wall
//   time, since they share the machine, and is shown in its own rows.
// - restic 0.14 with its defaults: repository format 2 with compression "auto" (zstd), its own cache in a
//   temp dir (as every restic user has one), parent snapshot found automatically, a local repository.
//   restic also encrypts; the agent relies on TLS plus the server's access control instead.
// - Stored bytes: the server's chunk store (<data-dir>/chunks) against the whole restic repository; the
//   server's database (manifests, reports) is shown separately.
// - Peak memory: maximum RSS from /usr/bin/time -v (the agent process includes tsx's loader thread).
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Customer, List, Reseller } from '../../src-shared/api/index.js';
import { TestClient } from '../support/api-client.js';
import { startServer } from '../support/server-process.js';
import { DataSet } from './data-set.js';
import { build, cpuSeconds, measure } from './measure.js';
import { printTable } from './format.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KIB = 1024;
const MIB = 1024 * KIB;
const RESTIC_PASSWORD = 'bench-password';

async function bytesUnder(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of await readdir(dir)) {
    const full = path.join(dir, name);
    const stats = await lstat(full);
    total += stats.isDirectory() ? await bytesUnder(full) : stats.size;
  }
  return total;
}

const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
const secs = (s: number) => `${s.toFixed(2)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

export async function benchAgentVsRestic(): Promise<void> {
  if (!existsSync('/usr/bin/restic') || !existsSync('/usr/bin/time')) throw new Error('this benchmark needs /usr/bin/restic and /usr/bin/time (Debian packages restic and time)');
  const root = await mkdtemp(path.join(tmpdir(), 'bench-agent-restic-'));
  const data = path.join(root, 'data');
  const stateDir = path.join(root, 'agent-state');
  const repo = path.join(root, 'restic-repo');
  const resticEnv = { ...process.env, RESTIC_PASSWORD, RESTIC_REPOSITORY: repo, RESTIC_CACHE_DIR: path.join(root, 'restic-cache') };
  await build();
  const server = await startServer({ dataDir: path.join(root, 'server'), args: ['--maintenance-interval', '0'], built: true });
  try {
    console.log(`generating ${DataSet.description} in ${data} ...`);
    const dataSet = new DataSet(data);
    const total = await dataSet.generate();

    const admin = await new TestClient(server.api).login();
    const reseller = (await admin.get<List<Reseller>>('/resellers')).body.items[0]!;
    await admin.post<Customer>(`/resellers/${reseller.id}/customers`, { name: 'Bench Customer', autoAuthorization: true });
    const agent = (...args: string[]) => measure(process.execPath, [path.join(ROOT, 'dist/agent/cli.js'), ...args, '--state-dir', stateDir]);
    const agentTsx = (...args: string[]) => measure(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src-agent/cli.ts'), ...args, '--state-dir', stateDir]);
    const serverPid = server.process.pid!;
    await agent('register', '--server', server.url, '--customer', 'Bench Customer', '--name', 'bench');
    await agent('schedule', 'add', '--name', 'bench', '--source', data);
    await measure('/usr/bin/restic', ['init', '-q'], resticEnv);

    const runs: { name: string; before?: () => Promise<number> }[] = [
      { name: 'first backup' },
      { name: 'after changing 1%', before: () => dataSet.changeOnePercent() },
      { name: 'nothing changed' },
    ];
    const rows: (string | number)[][] = [];
    let agentPeak = 0;
    let resticPeak = 0;
    for (const run of runs) {
      const changed = await run.before?.();
      if (changed !== undefined) console.log(`changed ${mib(changed)} (${((100 * changed) / total).toFixed(2)}% of ${mib(total)})`);
      const serverCpuBefore = cpuSeconds(serverPid);
      const ours = await agent('backup', '--schedule', 'bench');
      const serverCpu = cpuSeconds(serverPid) - serverCpuBefore;
      const theirs = await measure('/usr/bin/restic', ['backup', '-q', '--host', 'bench', data], resticEnv);
      agentPeak = Math.max(agentPeak, ours.peakRss);
      resticPeak = Math.max(resticPeak, theirs.peakRss);
      console.log(`agent: ${ours.stdout.trim()}`);
      rows.push([`${run.name}: wall time`, secs(ours.seconds), secs(theirs.seconds), ratio(ours.seconds, theirs.seconds), ours.seconds <= theirs.seconds ? 'yes' : 'NO']);
      rows.push([`${run.name}: CPU time (user+sys)`, secs(ours.cpuSeconds), secs(theirs.cpuSeconds), ratio(ours.cpuSeconds, theirs.cpuSeconds), '']);
      rows.push([`${run.name}: server CPU time`, secs(serverCpu), '', '', '']);
      rows.push([`${run.name}: peak RSS`, mib(ours.peakRss), mib(theirs.peakRss), ratio(ours.peakRss, theirs.peakRss), '']);
    }
    const dev = await agentTsx('backup', '--schedule', 'bench');
    rows.push(['nothing changed, agent under tsx: wall / peak RSS', `${secs(dev.seconds)} / ${mib(dev.peakRss)}`, '', '', '']);
    const storedOurs = await bytesUnder(path.join(server.dataDir, 'chunks'));
    const storedTheirs = await bytesUnder(repo);
    const database = await bytesUnder(server.dataDir).then((all) => all - storedOurs);
    rows.push(['bytes stored (chunk store vs repository)', mib(storedOurs), mib(storedTheirs), ratio(storedOurs, storedTheirs), storedOurs <= storedTheirs * 1.05 ? 'yes' : 'NO']);
    rows.push(['  + server database (manifests, reports)', mib(database), '', '', '']);
    rows.push(['peak agent memory (< 200 MiB)', mib(agentPeak), mib(resticPeak), '', agentPeak < 200 * MIB ? 'yes' : 'NO']);
    printTable(`agent vs restic on ${mib(total)} (${DataSet.description})`, ['', 'agent', 'restic', 'agent/restic', 'target met'], rows);
  } finally {
    await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}
