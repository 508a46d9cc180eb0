import fs from 'node:fs';
import path from 'node:path';
import { BridgeError, type AppInfo } from '../../../src-shared/bridge.js';
import type { appRequests } from '../../../src-shared/bridge/app.js';
import type { ConsoleState } from '../console-state.js';
import { appRoot } from '../embedded-server.js';
import type { JsonValue } from '../registry.js';
import type { Handlers } from './handler.js';

/** A settings value is layout and preferences, never a data store. */
const MAX_SETTING_BYTES = 64 * 1024;

export const appHandlers = (state: ConsoleState) =>
  ({
    'app.info': async () => appInfo(state),
    'app.useMemoryVault': async () => {
      state.useMemoryVault();
      return appInfo(state);
    },
    'settings.get': async ({ key }) => state.registry.getSetting(key) ?? null,
    'settings.set': async ({ key, value }) => {
      state.registry.setSetting(key, settingValue(key, value));
      return null;
    },
  }) satisfies Handlers<typeof appRequests>;

function appInfo({ options, vault, keychainProblem }: ConsoleState): AppInfo {
  return {
    version: options.version ?? appVersion(),
    keychain: vault === null ? 'unavailable' : vault.backend,
    keychainProblem,
    demo: options.demo ?? false,
    host: options.host,
    platform: process.platform,
  };
}

/** A settings value arrives over the bridge as anything; only plain JSON of a modest size is kept. */
function settingValue(key: string, value: unknown): JsonValue {
  const isJson = (v: unknown): v is JsonValue =>
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v)) ||
    (Array.isArray(v) && v.every(isJson)) ||
    (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v as object).every(isJson));
  if (!isJson(value)) throw new BridgeError('BAD_REQUEST', `settings.set: the value of "${key}" must be plain JSON (objects, arrays, strings, finite numbers, booleans, null).`);
  if (JSON.stringify(value).length > MAX_SETTING_BYTES) throw new BridgeError('BAD_REQUEST', `settings.set: the value of "${key}" is larger than ${MAX_SETTING_BYTES / 1024} KB.`);
  return value;
}

let cachedVersion: string | undefined;
/** The app's version from its package.json (the repository's, or the packaged app's). */
function appVersion(): string {
  if (cachedVersion === undefined) {
    try {
      const manifest: unknown = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8'));
      const version = typeof manifest === 'object' && manifest !== null ? (manifest as { version?: unknown }).version : undefined;
      cachedVersion = typeof version === 'string' ? version : '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}
