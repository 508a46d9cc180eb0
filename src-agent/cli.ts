/**
 * The backup agent CLI (API.md, "Agent CLI"):
 *
 *   register --server URL (--key KEY | --customer NAME | --trial) --name NAME [--fingerprint HEX | --insecure-tls]
 *   schedule add --name NAME --source PATH... [--every manual|hourly|daily@HH:MM|weekly@DAY@HH:MM]
 *   backup --schedule NAME
 *   restore --schedule NAME --target DIR [--backup ID] [--path PATH...] [--from URL [--fingerprint HEX | --insecure-tls]]
 *   backups --schedule NAME
 *   run-due
 *
 * every command with --state-dir DIR; `--help` (or `help`) prints the usage. Exit codes: 0 done, 3 refused by the server's policy (the code and
 * the server's message on one stderr line), 1 any other failure (one line saying why).
 *
 * `restore --from URL` restores from another server, a replication server holding a copy of this
 * client (same identity, same schedule and backup ids), with this agent's own token; only that one run
 * talks to it, and the state dir keeps the registered server.
 */
import os from 'node:os';
import path from 'node:path';
import type { AgentRegister, AgentRegistered, AgentScheduleUpsert } from '../src-shared/api/agent.js';
import type { Schedule } from '../src-shared/api/schedules.js';
import { parse, UsageError, type CommandSpec, type Flags } from './args.js';
import { runBackup, type BackupOutcome } from './backup.js';
import { formatBytes, formatDuration, reason } from './format.js';
import { runRestore, type RestoreOutcome } from './restore.js';
import { findSchedule, listBackups, listSchedules } from './schedules.js';
import { isFingerprint, normalizeFingerprint } from '../src-shared/pinned-tls.js';
import { AgentApiError, probeFingerprint, ServerClient } from './server-client.js';
import { StateDir, type AgentState, type ServerEndpoint } from './state.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_REFUSED = 3;

const USAGE = `usage: agent <command> --state-dir DIR [flags]
  register --server URL (--key KEY | --customer NAME | --trial) --name NAME [--fingerprint HEX | --insecure-tls]
  schedule add --name NAME --source PATH... [--every manual|hourly|daily@HH:MM|weekly@DAY@HH:MM]
  backup --schedule NAME
  restore --schedule NAME --target DIR [--backup ID] [--path PATH...] [--from URL [--fingerprint HEX | --insecure-tls]]
  backups --schedule NAME
  run-due`;

const COMMANDS: Record<string, CommandSpec> = {
  register: { values: ['server', 'key', 'customer', 'name', 'fingerprint'], switches: ['trial', 'insecure-tls'], run: register },
  'schedule add': { values: ['name', 'source', 'every'], lists: ['source'], switches: [], run: addSchedule },
  backup: { values: ['schedule'], switches: [], run: backup },
  restore: { values: ['schedule', 'target', 'backup', 'path', 'from', 'fingerprint'], lists: ['path'], switches: ['insecure-tls'], run: restore },
  backups: { values: ['schedule'], switches: [], run: listVersions },
  'run-due': { values: [], switches: [], run: runDue },
};

async function main(argv: readonly string[]): Promise<number> {
  // Asked for, the usage goes to stdout and is no failure.
  if (argv[0] === 'help' || argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  try {
    const { spec, flags } = parse(argv, COMMANDS);
    const stateDirPath = flags.optional('state-dir');
    if (!stateDirPath) throw new UsageError('--state-dir DIR is required');
    return await spec.run(flags, new StateDir(path.resolve(stateDirPath)));
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
  if (error instanceof AgentApiError && error.refusal) {
    process.stderr.write(`refused: ${error.code}: ${oneLine(error.message)}\n`);
    return EXIT_REFUSED;
  }
  process.stderr.write(`error: ${oneLine(reason(error))}\n`);
  if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  return EXIT_FAILED;
}

/** A client for the registered server that follows a CLIENT_MOVED by persisting the new server and token. */
function connect(state: AgentState, stateDir: StateDir): ServerClient {
  return new ServerClient(state.server, {
    token: state.token,
    onMoved: async (endpoint) => {
      await stateDir.save({ ...state, server: endpoint });
      process.stderr.write(`note: this client moved to ${endpoint.url}; the agent uses that server from now on\n`);
    },
  });
}

async function withClient<T>(stateDir: StateDir, use: (api: ServerClient) => Promise<T>): Promise<T> {
  const api = connect(await stateDir.require(), stateDir);
  try {
    return await use(api);
  } finally {
    api.close();
  }
}

/**
 * A server URL flag (`--server`, `--from`) as the state keeps it: no trailing slash, no `/api/v1`.
 * Anything but an http(s) URL is a usage error.
 */
function serverUrl(flag: string, raw: string): { url: string; https: boolean } {
  const url = raw.trim().replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new UsageError(`--${flag}: "${raw}" is not a URL`);
  }
  if (protocol !== 'https:' && protocol !== 'http:') throw new UsageError(`--${flag}: use an https:// URL (http:// only for a server on loopback), not ${protocol}`);
  return { url, https: protocol === 'https:' };
}

/**
 * What `--fingerprint HEX` / `--insecure-tls` say about the certificate of the server named by `--${flag}`:
 * a pin, 'probe' (trust what it presents now), or null (nothing given).
 */
function pinFlags(flags: Flags, flag: string, https: boolean): string | 'probe' | null {
  if (flags.has('fingerprint') && flags.has('insecure-tls')) throw new UsageError('--fingerprint and --insecure-tls contradict each other: choose one');
  const pinned = flags.optional('fingerprint');
  if (pinned !== undefined) {
    if (!https) throw new UsageError(`--fingerprint pins a TLS certificate; it needs an https:// --${flag} URL`);
    const fingerprint = normalizeFingerprint(pinned);
    if (!isFingerprint(fingerprint)) throw new UsageError('--fingerprint: expected the 64 hex digits of the certificate\'s SHA-256 (as the server prints it)');
    return fingerprint;
  }
  return flags.has('insecure-tls') && https ? 'probe' : null;
}

/** Connects once to an https server and returns the fingerprint it presents, saying so (trust on first use). */
async function trustPresented(url: string, why: string): Promise<string> {
  const fingerprint = await probeFingerprint(url);
  process.stdout.write(`trusting the certificate ${url} presented ${why}: fingerprint=${fingerprint}\n`);
  return fingerprint;
}

async function register(flags: Flags, stateDir: StateDir): Promise<number> {
  const { url, https } = serverUrl('server', flags.required('server'));
  const name = flags.required('name');
  const modes = ['key', 'customer', 'trial'].filter((m) => flags.has(m));
  if (modes.length !== 1) throw new UsageError('give exactly one of --key KEY, --customer NAME or --trial');
  const pin = pinFlags(flags, 'server', https);

  const existing = await stateDir.load();
  if (existing) {
    throw new Error(`${stateDir.dir} is already registered as "${existing.clientName}" with ${existing.server.url}; use another --state-dir to register again`);
  }

  const fingerprint = pin === 'probe' ? await trustPresented(url, 'on first use') : pin;
  const endpoint: ServerEndpoint = { url, fingerprint };

  const body: AgentRegister = { name, hostname: os.hostname().slice(0, 255), os: `${os.type()} ${os.release()}`.slice(0, 100) };
  const key = flags.optional('key');
  const customer = flags.optional('customer');
  if (key !== undefined) body.key = key;
  else if (customer !== undefined) body.customer = customer;
  else body.trial = true;

  const api = new ServerClient(endpoint);
  let registered: AgentRegistered;
  try {
    registered = await api.json<AgentRegistered>('POST', '/agent/register', body);
  } finally {
    api.close();
  }
  const { client } = registered;
  await stateDir.save({ version: 1, server: endpoint, token: registered.token, clientId: client.id, clientName: client.name });
  const trial = client.trial ? `, trial${client.trialExpiresAt ? ` until ${client.trialExpiresAt}` : ''}` : '';
  const pending = client.status === 'pending' ? '; an administrator must authorize it before backups can run' : '';
  process.stdout.write(`registered "${client.name}" as client ${client.id} with ${url} (${client.status}${trial})${pending}\n`);
  return EXIT_OK;
}

async function addSchedule(flags: Flags, stateDir: StateDir): Promise<number> {
  const sources = flags.all('source').map((source) => path.resolve(source));
  if (sources.length === 0) throw new UsageError('--source PATH is required (one or more)');
  // Loaded here only: it pulls in the TypeBox schemas, which no other command needs (see protocol.ts).
  const { parseEvery } = await import('../src-shared/schedule-time.js');
  let frequency: AgentScheduleUpsert['frequency'];
  try {
    frequency = parseEvery(flags.optional('every') ?? 'manual');
  } catch (error) {
    throw new UsageError(reason(error));
  }
  const body: AgentScheduleUpsert = { name: flags.required('name'), sources, frequency };
  const schedule = await withClient(stateDir, (api) => api.json<Schedule>('PUT', '/agent/schedules', body));
  const next = schedule.nextRunAt ? `next run ${schedule.nextRunAt}` : 'runs when started';
  process.stdout.write(`schedule "${schedule.name}" (${schedule.id}): ${schedule.sources.join(', ')}; ${describeFrequency(schedule.frequency)}, ${next}\n`);
  return EXIT_OK;
}

function describeFrequency(frequency: Schedule['frequency']): string {
  switch (frequency.kind) {
    case 'manual':
      return 'manual';
    case 'hourly':
      return 'hourly';
    case 'daily':
      return `daily at ${frequency.at ?? '00:00'} UTC`;
    case 'weekly':
      return `weekly on ${(frequency.days ?? ['mon']).join(',')} at ${frequency.at ?? '00:00'} UTC`;
  }
}

async function backup(flags: Flags, stateDir: StateDir): Promise<number> {
  const scheduleName = flags.required('schedule');
  const outcome = await withClient(stateDir, (api) => backupFollowingMoves(api, stateDir, scheduleName));
  printBackup(outcome);
  return EXIT_OK;
}

/**
 * A run that the server interrupts with CLIENT_MOVED cannot go on: its backup id lives on the old
 * server. The client has switched by then, so the run starts once more on the new server, where the
 * missing-query makes it upload only what was not seeded there.
 */
async function backupFollowingMoves(api: ServerClient, stateDir: StateDir, scheduleName: string): Promise<BackupOutcome> {
  const generation = api.generation;
  try {
    return await runBackup(api, stateDir, scheduleName);
  } catch (error) {
    if (api.generation === generation) throw error;
    return await runBackup(api, stateDir, scheduleName);
  }
}

function printBackup(outcome: BackupOutcome): void {
  const { stats } = outcome;
  process.stdout.write(
    `backup ${outcome.backupId} of "${outcome.scheduleName}": ${outcome.status}; ` +
      `${stats.filesScanned} files scanned (${formatBytes(stats.bytesScanned)}), ${stats.filesUploaded} uploaded; ` +
      `${outcome.chunksUploaded} chunks uploaded (${formatBytes(stats.bytesUploaded)}) in ${formatDuration(outcome.durationMs)}\n`,
  );
  for (const error of outcome.errors.slice(0, 20)) process.stderr.write(`warning: not backed up: ${error}\n`);
  if (outcome.errors.length > 20) process.stderr.write(`warning: ... and ${outcome.errors.length - 20} more entries not backed up\n`);
}

async function restore(flags: Flags, stateDir: StateDir): Promise<number> {
  const scheduleName = flags.required('schedule');
  const target = flags.required('target');
  const backupId = flags.optional('backup');
  const paths = restorePaths(flags);
  const from = restoreFrom(flags);
  const state = await stateDir.require();
  let api: ServerClient;
  if (from) {
    // The registered server's pin still holds when --from names that same server without pin flags.
    const same = !from.pinGiven && new URL(from.url).origin === new URL(state.server.url).origin;
    const fingerprint = from.pin === 'probe' ? await trustPresented(from.url, 'for this restore') : same ? state.server.fingerprint : from.pin;
    // No onMoved: a CLIENT_MOVED from the other server ends this run; only the registered server moves the client.
    api = new ServerClient({ url: from.url, fingerprint }, { token: state.token });
  } else {
    api = connect(state, stateDir);
  }
  let outcome: RestoreOutcome;
  try {
    outcome = await runRestore(api, scheduleName, target, { ...(backupId === undefined ? {} : { backupId }), ...(paths ? { paths } : {}) });
  } finally {
    api.close();
  }
  process.stdout.write(
    `restore ${outcome.restoreId} of backup ${outcome.backupId}: ${outcome.status}; ${outcome.files} files (${formatBytes(outcome.bytes)}) ` +
      `to ${path.resolve(target)} in ${formatDuration(outcome.durationMs)}${from ? `, from ${from.url}` : ''}\n`,
  );
  for (const error of outcome.errors.slice(0, 20)) process.stderr.write(`warning: not restored: ${error}\n`);
  return outcome.status === 'success' ? EXIT_OK : EXIT_FAILED;
}

/** `--path PATH...` as absolute paths (relative ones against the working directory, as `--source`), or undefined for all. */
function restorePaths(flags: Flags): string[] | undefined {
  if (!flags.has('path')) return undefined;
  const given = flags.all('path');
  if (given.some((p) => p.trim() === '')) throw new UsageError('--path: an empty path selects nothing; give a file or folder as it was backed up');
  return given.map((p) => path.resolve(p));
}

/** `--from URL [--fingerprint HEX | --insecure-tls]`, checked before anything is read or sent; null without --from. */
function restoreFrom(flags: Flags): { url: string; pin: string | 'probe' | null; pinGiven: boolean } | null {
  const raw = flags.optional('from');
  if (raw === undefined) {
    for (const flag of ['fingerprint', 'insecure-tls']) {
      if (flags.has(flag)) throw new UsageError(`--${flag} applies to the server named by --from URL; a restore without --from uses the registered server and its pinned certificate`);
    }
    return null;
  }
  const { url, https } = serverUrl('from', raw);
  if (!https && flags.has('insecure-tls')) throw new UsageError('--insecure-tls trusts a TLS certificate; an http:// --from URL has none (drop the flag)');
  return { url, pin: pinFlags(flags, 'from', https), pinGiven: flags.has('fingerprint') || flags.has('insecure-tls') };
}

/** `backups --schedule NAME`: one line per version, newest first, its full id first (for `restore --backup ID`). */
async function listVersions(flags: Flags, stateDir: StateDir): Promise<number> {
  const scheduleName = flags.required('schedule');
  const { schedule, versions } = await withClient(stateDir, async (api) => {
    const schedule = await findSchedule(api, scheduleName);
    return { schedule, versions: await listBackups(api, schedule.id) };
  });
  // On stderr, so stdout holds version lines only.
  if (versions.length === 0) process.stderr.write(`schedule "${schedule.name}" has no backup yet\n`);
  for (const v of versions) {
    process.stdout.write(`${v.id}  ${v.createdAt}  ${v.files} ${v.files === 1 ? 'file' : 'files'}  ${formatBytes(v.bytes)} (${v.bytes} bytes)\n`);
  }
  return EXIT_OK;
}

async function runDue(_flags: Flags, stateDir: StateDir): Promise<number> {
  return withClient(stateDir, async (api) => {
    const now = Date.now();
    const due = (await listSchedules(api)).filter((s) => s.enabled && s.nextRunAt !== null && Date.parse(s.nextRunAt) <= now);
    if (due.length === 0) {
      process.stdout.write('no schedule is due\n');
      return EXIT_OK;
    }
    let refused = false;
    let failed = false;
    for (const schedule of due) {
      try {
        printBackup(await backupFollowingMoves(api, stateDir, schedule.name));
      } catch (error) {
        const refusal = error instanceof AgentApiError && error.refusal;
        refused ||= refusal;
        failed ||= !refusal;
        process.stderr.write(`${refusal ? 'refused' : 'error'}: schedule "${schedule.name}": ${reason(error).replace(/\s*\n\s*/g, ' ')}\n`);
      }
    }
    return refused ? EXIT_REFUSED : failed ? EXIT_FAILED : EXIT_OK;
  });
}

process.exitCode = await main(process.argv.slice(2));
