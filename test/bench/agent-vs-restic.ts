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
import { spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Customer, List, Reseller } from '../../src-shared/api/index.js';
import { TestClient } from '../support/api-client.js';
import { startServer } from '../support/server-process.js';
import { printTable } from './format.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KIB = 1024;
const MIB = 1024 * KIB;
const SMALL_FILES = 20_000;
const SMALL_FILES_PER_DIR = 100;
const BIG_FILES_MIB = [128, 192, 256, 320, 384];
/** Small files are made of 4 KiB blocks, half text (compressible), half random bytes. */
const SMALL_BLOCK = 4 * KIB;
const SMALL_TEXT_SHARE = 0.5;
/** Big files are made of 1 MiB blocks, 30% text: a mix of media-like and log/database-like content. */
const BIG_BLOCK = MIB;
const BIG_TEXT_SHARE = 0.3;
/** The 1% change: every 100th small file rewritten, and this much overwritten in each of the first 3 big files. */
const CHANGED_SMALL_EVERY = 100;
const CHANGED_BIG_BYTES = 4 * MIB;
const RESTIC_PASSWORD = 'bench-password';

/** Deterministic bytes fast enough for gigabytes: the AES-128-CTR keystream of a seed. */
class Keystream {
  private readonly cipher;
  /** Numbers for next() come from their own buffered slice of the stream: one cipher call per 16,384 of them. */
  private numbers: Buffer = Buffer.alloc(0);
  private at = 0;
  constructor(seed: string) {
    const key = createHash('sha256').update(seed).digest();
    this.cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  }
  bytes(length: number): Buffer {
    return this.cipher.update(Buffer.alloc(length));
  }
  /** A float in [0, 1). */
  next(): number {
    if (this.at + 4 > this.numbers.length) {
      this.numbers = this.bytes(64 * KIB);
      this.at = 0;
    }
    const value = this.numbers.readUInt32BE(this.at) / 2 ** 32;
    this.at += 4;
    return value;
  }
}

/** 16 MiB of log-like text from a vocabulary of made-up words; text blocks are slices of it. */
function textCorpus(random: Keystream): Buffer {
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  const vocabulary = Array.from({ length: 4000 }, () => {
    const length = 2 + Math.floor(random.next() * 9);
    let word = '';
    for (let i = 0; i < length; i++) word += letters[Math.floor(random.next() ** 2 * letters.length)];
    return word;
  });
  const parts: string[] = [];
  let size = 0;
  let line = 0;
  while (size < 16 * MIB) {
    const words = Array.from({ length: 6 + Math.floor(random.next() * 10) }, () => vocabulary[Math.floor(random.next() ** 1.5 * vocabulary.length)]);
    const text = `2024-0${1 + (line % 9)}-${10 + (line % 18)} ${String(line % 86400).padStart(5, '0')} ${words.join(' ')} id=${Math.floor(random.next() * 1e6)}\n`;
    parts.push(text);
    size += text.length;
    line++;
  }
  return Buffer.from(parts.join(''));
}

function content(size: number, blockSize: number, textShare: number, random: Keystream, corpus: Buffer): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += blockSize) {
    const length = Math.min(blockSize, size - at);
    if (random.next() < textShare) {
      const from = Math.floor(random.next() * (corpus.length - length));
      corpus.copy(out, at, from, from + length);
    } else {
      random.bytes(length).copy(out, at);
    }
  }
  return out;
}

const smallFilePath = (data: string, i: number) => path.join(data, 'small', `d${String(Math.floor(i / SMALL_FILES_PER_DIR)).padStart(3, '0')}`, `f${String(i).padStart(5, '0')}.dat`);

async function generate(data: string, corpus: Buffer): Promise<number> {
  const random = new Keystream('bench data v1');
  let total = 0;
  for (let d = 0; d < SMALL_FILES / SMALL_FILES_PER_DIR; d++) await mkdir(path.join(data, 'small', `d${String(d).padStart(3, '0')}`), { recursive: true });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < SMALL_FILES; i++) {
    const size = 1 * KIB + Math.floor(random.next() * 63 * KIB);
    total += size;
    writes.push(writeFile(smallFilePath(data, i), content(size, SMALL_BLOCK, SMALL_TEXT_SHARE, random, corpus)));
    if (writes.length >= 64) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  await mkdir(path.join(data, 'big'));
  for (const [i, mib] of BIG_FILES_MIB.entries()) {
    const file = await open(path.join(data, 'big', `image-${i}.bin`), 'w');
    for (let written = 0; written < mib * MIB; written += 16 * MIB) await file.write(content(16 * MIB, BIG_BLOCK, BIG_TEXT_SHARE, random, corpus));
    await file.close();
    total += mib * MIB;
  }
  return total;
}

/** Changes about 1% of the data: rewrites every 100th small file, overwrites 4 MiB inside the first 3 big files. */
async function changeOnePercent(data: string, corpus: Buffer): Promise<number> {
  const random = new Keystream('bench change v1');
  let changed = 0;
  for (let i = 0; i < SMALL_FILES; i += CHANGED_SMALL_EVERY) {
    const file = smallFilePath(data, i);
    const { size } = await stat(file);
    await writeFile(file, content(size, SMALL_BLOCK, SMALL_TEXT_SHARE, random, corpus));
    changed += size;
  }
  for (let i = 0; i < 3; i++) {
    const file = await open(path.join(data, 'big', `image-${i}.bin`), 'r+');
    await file.write(content(CHANGED_BIG_BYTES, BIG_BLOCK, BIG_TEXT_SHARE, random, corpus), 0, CHANGED_BIG_BYTES, Math.floor((BIG_FILES_MIB[i]! * MIB) / 3));
    await file.close();
    changed += CHANGED_BIG_BYTES;
  }
  return changed;
}

interface Measured {
  seconds: number;
  /** Peak RSS in bytes. */
  peakRss: number;
  cpuSeconds: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time -v and returns wall time, peak RSS and CPU time; throws on a non-zero exit. */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn('/usr/bin/time', ['-v', command, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = (performance.now() - began) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}${stdout}`));
      const field = (name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(stderr)?.[1] ?? NaN);
      resolve({ seconds, peakRss: field('Maximum resident set size \\(kbytes\\)') * KIB, cpuSeconds: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'), stdout });
    });
  });
}

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

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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
  console.log('building dist/ (npm run build) ...');
  await measure(process.execPath, [path.join(ROOT, 'scripts/build.mjs')]);
  const server = await startServer({ dataDir: path.join(root, 'server'), args: ['--maintenance-interval', '0'], built: true });
  try {
    console.log(`generating ${SMALL_FILES} small files and ${BIG_FILES_MIB.length} big files in ${data} ...`);
    const corpus = textCorpus(new Keystream('bench corpus v1'));
    const total = await generate(data, corpus);

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
      { name: 'after changing 1%', before: () => changeOnePercent(data, corpus) },
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
    printTable(`agent vs restic on ${mib(total)} (${SMALL_FILES} small files, ${BIG_FILES_MIB.length} files of ${BIG_FILES_MIB.join('/')} MiB)`, ['', 'agent', 'restic', 'agent/restic', 'target met'], rows);
  } finally {
    await server.stop();
    await rm(root, { recursive: true, force: true });
  }
}
