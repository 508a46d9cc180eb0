import { homedir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  http: boolean;
  tlsCert?: string;
  tlsKey?: string;
  adminPassword?: string;
  cloud: boolean;
  mcals?: number;
  demo: boolean;
  /** Minutes between scheduled maintenance runs; 0 turns the scheduler off. */
  maintenanceMinutes: number;
  logLevel: string;
}

/** The per-user data folder of the platform, as desktop apps use it. */
export function defaultDataDir(app = 'backup-server'): string {
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(homedir(), 'AppData', 'Roaming'), app);
  if (process.platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support', app);
  return path.join(process.env.XDG_DATA_HOME ?? path.join(homedir(), '.local', 'share'), app);
}

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new Error(`--${flag}: "${text}" is not a whole number from ${min} to ${max}.`);
  return n;
}

/** Parses the server CLI of API.md; throws an Error whose message names the bad flag. */
export function parseServerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      http: { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'admin-password': { type: 'string' },
      cloud: { type: 'boolean' },
      mcals: { type: 'string' },
      demo: { type: 'boolean' },
      'maintenance-interval': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const host = values.host ?? '127.0.0.1';
  if (values.http && !isLoopback(host)) {
    throw new Error(`--http serves plain HTTP and is only allowed on a loopback host (127.0.0.1, ::1, localhost), not "${host}". Use TLS.`);
  }
  if (values.http && (values['tls-cert'] || values['tls-key'])) throw new Error('--http and --tls-cert/--tls-key contradict each other: choose one.');
  // An empty variable is an unset one (as in `BACKUP_SERVER_ADMIN_PASSWORD= npm run server`); an empty flag is a mistake.
  const adminPassword = values['admin-password'] ?? (env.BACKUP_SERVER_ADMIN_PASSWORD || undefined);
  if (adminPassword !== undefined && adminPassword.length < 8) throw new Error('--admin-password: the admin password must have at least 8 characters.');
  const logLevel = values['log-level'] ?? 'warn';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new Error(`--log-level: "${logLevel}" is not a log level.`);
  return {
    dataDir: path.resolve(values['data-dir'] ?? defaultDataDir()),
    host,
    port: integer('port', values.port, 0, 65535) ?? 8443,
    http: values.http ?? false,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    adminPassword,
    cloud: values.cloud ?? false,
    mcals: integer('mcals', values.mcals, 0, 10_000_000),
    demo: values.demo ?? false,
    maintenanceMinutes: integer('maintenance-interval', values['maintenance-interval'], 0, 7 * 24 * 60) ?? 60,
    logLevel,
  };
}
