import { KEEP_EVERYTHING, type RetentionPolicy } from '../src-shared/api/retention.js';
import type { Deployment } from '../src-shared/api/session.js';
import type { TrialSettings } from '../src-shared/api/trial.js';
import type { StoredGlobalReplication } from './replication/config.js';
import type { Store } from './store.js';

/** Server-wide settings, one JSON value per key in the `settings` table. */
export interface ServerSettings {
  /** A UUID made with the data dir (bootstrap), never changed. */
  serverId: string;
  name: string;
  deployment: Deployment;
  resellerManagement: boolean;
  mcalPoolTotal: number;
  trial: TrialSettings;
  replication: StoredGlobalReplication;
  /** The retention policy of every schedule that inherits (retention/config.ts). */
  retentionDefaults: RetentionPolicy;
}

const GIB = 1024 ** 3;
export const DEFAULT_SETTINGS: ServerSettings = {
  serverId: '',
  name: 'Backup Server',
  deployment: 'on-premise',
  resellerManagement: true,
  mcalPoolTotal: 100,
  trial: { spaceBytes: 5 * GIB, trialDays: 30, deleteAfterDays: 15 },
  replication: { enabled: false, frequency: { kind: 'daily', at: '01:00' }, bandwidthLimitKBps: null, servers: [] },
  retentionDefaults: KEEP_EVERYTHING,
};

export class Settings {
  constructor(private readonly store: Store) {}

  get<K extends keyof ServerSettings>(key: K): ServerSettings[K] {
    const row = this.store.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', key);
    return row ? (JSON.parse(row.value) as ServerSettings[K]) : DEFAULT_SETTINGS[key];
  }

  /** Call inside `store.write`. */
  set<K extends keyof ServerSettings>(key: K, value: ServerSettings[K]): void {
    this.store.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, JSON.stringify(value));
  }

  isInitialized(): boolean {
    return this.store.get('SELECT 1 FROM settings WHERE key = ?', 'name') !== undefined;
  }
}
