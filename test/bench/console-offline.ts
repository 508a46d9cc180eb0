// Issue 4 benchmark: the console's offline cache.
// 1. A server (TLS) with one reseller of 20,000 customers: the ConsoleService fetches the whole customer
//    list live, the way the UI pages it (1,000 rows per request), which writes it through to the cache.
// 2. The server is stopped. A fresh process — the console core bundled as a build would ship it — opens
//    the ConsoleService and reads the 20,000 rows back from the cache: time from process start.
// 3. A customer with 100,000 backup report rows is made available offline: the cache's size on disk.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { openDatabase } from '../../src-server/db/database.js';
import { bootstrap } from '../../src-server/bootstrap.js';
import { DEFAULT_RESELLER_ID } from '../../src-server/resellers.js';
import { Services } from '../../src-server/services.js';
import { nameKey, newId, nowIso } from '../../src-server/store.js';
import type { Events } from '../../src-shared/bridge.js';
import { CACHE_FILE, ConsoleService } from '../../src-main/core/console-service.js';
import { CredentialVault, MemorySecretStore } from '../../src-main/core/vault.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir, type RunningServer } from '../support/server-process.js';
import { ms, printTable } from './format.js';
import { seed as seedCustomers } from './server-list.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CUSTOMERS = 20_000;
const PAGE = 1_000;
const SORT = 'name';
const REPORT_SCHEDULES = 100;
const REPORTS_PER_SCHEDULE = 1_000;
const COLD_RUNS = 5;
const MB = 1024 * 1024;

/**
 * The cold reader: opens the ConsoleService on the data dir the live fetch left, then pages the whole
 * customer list out of it. Its vault holds a token but the server is gone, as after a restart on a plane:
 * every read tries the network (connection refused) and falls back to the cache. Bundled like a build,
 * so the figure is not tsx compiling TypeScript.
 */
const COLD_READER = `
import { ConsoleService } from './src-main/core/console-service.js';
import { CredentialVault, MemorySecretStore } from './src-main/core/vault.js';
const loaded = performance.now();
const cpuAtLoad = process.cpuUsage();
const [dataDir, resellerId, pages] = process.argv.slice(2);
const vault = new CredentialVault(new MemorySecretStore());
const service = await ConsoleService.open({ dataDir, host: 'browser', vault, log: () => undefined });
const opened = performance.now();
const [server] = await service.invoke('servers.list', {});
await vault.setToken(server.id, 'a-token-the-stopped-server-would-have-accepted');
let rows = 0;
let fromCache = true;
for (let page = 0; page < Number(pages); page++) {
  const result = await service.invoke('customers.list', { serverId: server.id, id: resellerId, query: { offset: page * ${PAGE}, limit: ${PAGE}, sort: '${SORT}' } });
  rows += result.data.items.length;
  fromCache &&= result.asOf !== null;
}
const done = performance.now();
const cpu = process.cpuUsage(cpuAtLoad);
await service.close();
process.stdout.write(JSON.stringify({ loaded, opened, done, cpuMs: (cpu.user + cpu.system) / 1000, rows, fromCache }) + '\\n');
process.exit(0);
`;

interface ColdRead {
  loaded: number;
  opened: number;
  done: number;
  /** CPU time of open + reads: less sensitive than wall time to a busy machine. */
  cpuMs: number;
  rows: number;
  fromCache: boolean;
}

async function bundleColdReader(): Promise<string> {
  const outfile = path.join(ROOT, 'node_modules/.cache/backup-console-bench/cold-reader.mjs');
  // packages stay external, as in the app build: npm packages (and the native better-sqlite3) load from node_modules.
  await build({ stdin: { contents: COLD_READER, resolveDir: ROOT, loader: 'ts', sourcefile: 'cold-reader.ts' }, outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  return outfile;
}

/** How long a bare Node takes to start here: the floor under any "from process start" figure on this machine. */
function bareNodeStart(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', 'process.stdout.write(String(performance.now()))'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`node exited with ${code}`))));
  });
}

function runColdReader(script: string, dataDir: string, resellerId: string): Promise<ColdRead> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dataDir, resellerId, String(CUSTOMERS / PAGE)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ColdRead) : reject(new Error(`cold reader exited with ${code}: ${out}`))));
  });
}

async function openConsole(dataDir: string): Promise<ConsoleService> {
  return ConsoleService.open({ dataDir, host: 'browser', vault: new CredentialVault(new MemorySecretStore()), log: () => undefined });
}

async function addServer(service: ConsoleService, server: RunningServer): Promise<string> {
  const view = await service.invoke('servers.add', { name: 'Bench', url: server.url, username: 'admin', password: ADMIN_PASSWORD, fingerprint: server.fingerprint });
  return view.id;
}

/** One customer with 10 clients × 10 schedules × 1,000 backup reports, shaped like the demo's. */
function seedReports(dataDir: string): Promise<string> {
  const db = openDatabase(path.join(dataDir, 'server.sqlite'));
  const s = new Services(db, dataDir);
  return bootstrap(s, { cloud: false, adminPassword: ADMIN_PASSWORD }).then(() => {
    const customerId = newId('cus');
    let x = 42;
    const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    s.store.write(() => {
      s.store.run('INSERT INTO customers (id, reseller_id, name, name_key, email, created_at) VALUES (?, ?, ?, ?, ?, ?)', customerId, DEFAULT_RESELLER_ID, 'Report Co', nameKey('Report Co'), 'it@report.example', nowIso());
      const report = db.prepare(
        `INSERT INTO backup_reports (id, schedule_id, started_at, finished_at, status, files_scanned, files_uploaded, bytes_scanned, bytes_uploaded, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (let c = 0; c < REPORT_SCHEDULES / 10; c++) {
        const clientId = newId('cli');
        s.store.run(`INSERT INTO clients (id, customer_id, name, hostname, os, status, mcal_consumed, created_at) VALUES (?, ?, ?, ?, 'Windows 11 Pro', 'authorized', 1, ?)`, clientId, customerId, `PC-${c}`, `pc-${c}.report.example`, nowIso());
        for (let k = 0; k < 10; k++) {
          const scheduleId = newId('sch');
          s.store.run('INSERT INTO schedules (id, client_id, name, sources, frequency, enabled, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)', scheduleId, clientId, `Schedule ${k}`, '["C:/Users"]', '{"kind":"hourly"}', nowIso());
          for (let r = 0; r < REPORTS_PER_SCHEDULE; r++) {
            const started = Date.now() - (r + 1) * 3_600_000;
            const roll = random();
            const status = roll < 0.9 ? 'success' : roll < 0.96 ? 'partial' : 'failed';
            const files = 2000 + Math.floor(random() * 50_000);
            report.run(
              newId('bkr'),
              scheduleId,
              nowIso(started),
              nowIso(started + 600_000 + Math.floor(random() * 3_000_000)),
              status,
              files,
              status === 'failed' ? 0 : Math.floor(files * random() * 0.05),
              Math.floor(random() * 40 * 1024 ** 3),
              status === 'failed' ? 0 : Math.floor(random() * 1024 ** 3),
              status === 'failed' ? 'The network path was not found (source unavailable).' : status === 'partial' ? '3 files were locked by another process and skipped.' : null,
            );
          }
        }
      }
    });
    db.close();
    return customerId;
  });
}

async function waitForJob(service: ConsoleService, jobId: string): Promise<Events['job.progress']> {
  return new Promise((resolve) => {
    const stop = service.subscribe((event, payload) => {
      if (event !== 'job.progress') return;
      const progress = payload as Events['job.progress'];
      if (progress.jobId === jobId && progress.status !== 'running') {
        stop();
        resolve(progress);
      }
    });
  });
}

export async function benchConsoleOffline(): Promise<void> {
  const serverDir = await tempDir('bs-bench-console-');
  const consoleDir = await tempDir('bs-bench-console-data-');
  const reportServerDir = await tempDir('bs-bench-reports-');
  const reportConsoleDir = await tempDir('bs-bench-reports-data-');
  try {
    // 1. Live: the whole customer list, page by page, written through to the cache.
    const resellerId = await seedCustomers(serverDir);
    const server = await startServer({ dataDir: serverDir, http: false });
    const live = await openConsole(consoleDir);
    const serverId = await addServer(live, server);
    let rows = 0;
    const liveStart = performance.now();
    for (let page = 0; page < CUSTOMERS / PAGE; page++) {
      const result = await live.invoke('customers.list', { serverId, id: resellerId, query: { offset: page * PAGE, limit: PAGE, sort: SORT } });
      rows += result.data.items.length;
    }
    const liveMs = performance.now() - liveStart;
    if (rows !== CUSTOMERS) throw new Error(`fetched ${rows} customers, expected ${CUSTOMERS}`);
    const customerCacheBytes = (await live.invoke('offline.size', {})).bytes;
    await live.close();
    await server.stop();

    // 2. Offline: fresh processes read it back.
    const script = await bundleColdReader();
    const cold: ColdRead[] = [];
    for (let run = 0; run < COLD_RUNS; run++) {
      const result = await runColdReader(script, consoleDir, resellerId);
      if (result.rows !== CUSTOMERS || !result.fromCache) throw new Error(`cold read returned ${result.rows} rows, from cache: ${result.fromCache}`);
      cold.push(result);
    }
    const bare: number[] = [];
    for (let run = 0; run < COLD_RUNS; run++) bare.push(await bareNodeStart());
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

    // 3. Size: a customer with 100,000 backup report rows, made available offline.
    const customerId = await seedReports(reportServerDir);
    const reportServer = await startServer({ dataDir: reportServerDir, http: false });
    const prefetching = await openConsole(reportConsoleDir);
    const reportServerId = await addServer(prefetching, reportServer);
    const prefetchStart = performance.now();
    const { jobId } = await prefetching.invoke('offline.makeAvailable', { serverId: reportServerId, customerId });
    const job = await waitForJob(prefetching, jobId);
    const prefetchMs = performance.now() - prefetchStart;
    if (job.status !== 'done') throw new Error(`make available offline failed: ${job.error}`);
    const reportJsonBytes = (await prefetching.invoke('offline.size', {})).bytes;
    await prefetching.close(); // checkpoints the WAL into the file
    await reportServer.stop();
    const cacheFile = path.join(reportConsoleDir, CACHE_FILE);
    const onDisk = [cacheFile, `${cacheFile}-wal`].reduce((sum, file) => sum + (fs.existsSync(file) ? fs.statSync(file).size : 0), 0);
    const reportRows = REPORT_SCHEDULES * REPORTS_PER_SCHEDULE;
    const perHundredThousand = (onDisk * 100_000) / reportRows;

    printTable(
      `Console offline cache: ${CUSTOMERS.toLocaleString('en-US')} customers, cold offline start (median of ${COLD_RUNS} fresh processes), ${reportRows.toLocaleString('en-US')} report rows`,
      ['figure', 'value', 'target'],
      [
        [`customer list live, ${CUSTOMERS / PAGE} pages of ${PAGE} (TLS, written through)`, ms(liveMs), ''],
        ['  cache: customer list as stored (JSON)', `${(customerCacheBytes / MB).toFixed(1)} MB`, ''],
        [`cold offline start: process start to ${CUSTOMERS.toLocaleString('en-US')} cached rows returned`, ms(median(cold.map((c) => c.done))), ''],
        ['  Node started, console core modules loaded', ms(median(cold.map((c) => c.loaded))), ''],
        ['  (for scale: a bare `node -e` on this machine)', ms(median(bare)), ''],
        ['  ConsoleService.open (settings, cache, connections)', ms(median(cold.map((c) => c.opened - c.loaded))), ''],
        [`  ${CUSTOMERS / PAGE} cached reads (first one tries the stopped server)`, ms(median(cold.map((c) => c.done - c.opened))), '< 150 ms'],
        ['  open + reads, CPU time', ms(median(cold.map((c) => c.cpuMs))), ''],
        [`make available offline: ${reportRows.toLocaleString('en-US')} report rows (${job.total} requests)`, ms(prefetchMs), ''],
        ['cache on disk per 100,000 report rows', `${(perHundredThousand / MB).toFixed(1)} MB`, '<= 40 MB'],
        ['  stored JSON per 100,000 report rows', `${((reportJsonBytes * 100_000) / reportRows / MB).toFixed(1)} MB`, ''],
      ],
    );
  } finally {
    await Promise.all([serverDir, consoleDir, reportServerDir, reportConsoleDir].map(removeDir));
  }
}
