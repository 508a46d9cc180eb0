import { randomBytes, randomUUID } from 'node:crypto';
import { hashPassword } from './auth.js';
import { DEFAULT_RESELLER_ID } from './resellers.js';
import type { Services } from './services.js';
import { DEFAULT_SETTINGS } from './settings.js';
import { nowIso } from './store.js';

export interface FirstStartOptions {
  adminPassword?: string;
  cloud: boolean;
  mcals?: number;
}

/**
 * Sets up a new data dir: settings, the built-in `default` reseller and the `admin` login.
 * Returns the admin password when it was generated (the CLI prints it once), else null.
 * On later starts only `--cloud` applies; `--mcals` and the admin password are first-start settings.
 */
export async function bootstrap(s: Services, options: FirstStartOptions): Promise<string | null> {
  if (s.settings.isInitialized()) {
    if (options.cloud && s.settings.get('deployment') !== 'cloud') s.store.write(() => s.settings.set('deployment', 'cloud'));
    // Data dirs made before servers had an id get theirs now, once.
    if (!s.settings.get('serverId')) s.store.write(() => s.settings.set('serverId', randomUUID()));
    return null;
  }
  const generated = options.adminPassword ? null : randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(options.adminPassword ?? generated!);
  s.store.write(() => {
    s.settings.set('serverId', randomUUID());
    s.settings.set('deployment', options.cloud ? 'cloud' : 'on-premise');
    s.settings.set('mcalPoolTotal', options.mcals ?? DEFAULT_SETTINGS.mcalPoolTotal);
    s.settings.set('resellerManagement', DEFAULT_SETTINGS.resellerManagement);
    s.settings.set('trial', DEFAULT_SETTINGS.trial);
    s.store.run("INSERT INTO resellers (id, name, name_key, builtin, created_at) VALUES (?, 'default', 'default', 1, ?)", DEFAULT_RESELLER_ID, nowIso());
    s.auth.createUser('admin', passwordHash, 'admin', null);
    s.settings.set('name', DEFAULT_SETTINGS.name);
  });
  return generated;
}
