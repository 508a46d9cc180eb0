import type { ServerInfo, ServerPatch } from '../src-shared/api/session.js';
import type { TrialSettings } from '../src-shared/api/trial.js';
import type { AuditLog } from './audit.js';
import type { Principal } from './auth.js';
import type { McalPool } from './mcal.js';
import { assertAdmin } from './resellers.js';
import type { Settings } from './settings.js';
import type { Store } from './store.js';

export const SERVER_VERSION = '1.0.0';

/** The server as a whole: its status and settings (`/server`) and the trial settings, administrators only to change. */
export class ServerConfig {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly audit: AuditLog,
    private readonly pool: McalPool,
  ) {}

  info(): ServerInfo {
    const pool = this.pool.status();
    const onPremise = this.settings.get('deployment') === 'on-premise';
    return {
      id: this.settings.get('serverId'),
      name: this.settings.get('name'),
      version: SERVER_VERSION,
      deployment: this.settings.get('deployment'),
      resellerManagement: this.settings.get('resellerManagement'),
      mcalPool: { total: pool.total, allotted: pool.allotted, used: pool.used },
      features: { replication: onPremise, seedMigration: onPremise },
    };
  }

  update(principal: Principal, patch: ServerPatch): ServerInfo {
    assertAdmin(principal);
    return this.store.write(() => {
      const before = this.info();
      if (patch.mcalPoolTotal !== undefined) {
        this.pool.assertPoolTotal(patch.mcalPoolTotal);
        this.settings.set('mcalPoolTotal', patch.mcalPoolTotal);
      }
      if (patch.name !== undefined) this.settings.set('name', patch.name.trim());
      if (patch.resellerManagement !== undefined) this.settings.set('resellerManagement', patch.resellerManagement);
      const after = this.info();
      this.audit.record(principal, { action: 'server.update', objectType: 'server', objectId: 'server', objectName: after.name, resellerId: null, before, after });
      return after;
    });
  }

  trial(principal: Principal): TrialSettings {
    assertAdmin(principal);
    return this.settings.get('trial');
  }

  updateTrial(principal: Principal, next: TrialSettings): TrialSettings {
    assertAdmin(principal);
    return this.store.write(() => {
      const before = this.settings.get('trial');
      this.settings.set('trial', next);
      this.audit.record(principal, { action: 'trial-settings.update', objectType: 'trial-settings', objectId: 'trial-settings', objectName: 'Trial Client Settings', resellerId: null, before: { ...before }, after: { ...next } });
      return next;
    });
  }
}
