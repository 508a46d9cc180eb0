/**
 * The credential vault against the real OS keychain (on Linux: gnome-keyring's Secret Service on a
 * private session bus, as .ci/run starts it). Where no keychain answers, the suite is skipped with the
 * reason, except under CI, where a missing keychain is a failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OfflineCache } from '../../src-main/core/cache.js';
import { ServerRegistry } from '../../src-main/core/registry.js';
import { KEYCHAIN_SERVICE, KeychainUnavailableError, openVault, PROBE_ACCOUNT, type CredentialVault } from '../../src-main/core/vault.js';

/** Why the suite cannot run here, or null when it must. */
async function keychainAbsence(): Promise<string | null> {
  try {
    await openVault({ allowMemory: false });
    return null;
  } catch (error) {
    if (error instanceof KeychainUnavailableError && !process.env['CI']) {
      return `no OS keychain here (${error.problem}); run under dbus-run-session with an unlocked gnome-keyring, as CI does. ${error.message}`;
    }
    // Under CI the suite runs and openVault fails it with the real reason.
    return null;
  }
}

const skipReason = await keychainAbsence();

describe('credential vault on the OS keychain', () => {
  let dir: string;
  let vault: CredentialVault | undefined;
  const serverIds: string[] = [];

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'core-keychain-'));
  });

  // Opened per test, so that under CI a missing keychain fails each test with the reason.
  beforeEach(async (context) => {
    context.skip(skipReason !== null, skipReason ?? undefined);
    vault = await openVault({ allowMemory: false });
  });

  afterAll(async () => {
    for (const id of serverIds) await vault?.forget(id);
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('keeps a password and a token in the keychain and nowhere else', async () => {
    if (!vault) throw new Error('the vault did not open');
    expect(vault.backend).toBe('keychain');
    const registry = new ServerRegistry({ cwd: dir });
    const cache = OfflineCache.open(path.join(dir, 'offline.sqlite'), { maxBytes: 16 * 1024 * 1024 });
    const server = registry.add({ name: 'Keychain test', url: `https://${randomUUID()}.test:8443`, username: 'admin' });
    serverIds.push(server.id);
    const password = `pw-${randomUUID()}`;
    const token = `tok-${randomUUID()}`;

    // What a login does: secrets to the vault, everything else to settings and cache.
    await vault.setPassword(server.id, password);
    await vault.setToken(server.id, token);
    registry.pinFingerprint(server.id, 'cd'.repeat(32));
    registry.setSetting('windowBounds', { x: 0, y: 0, width: 1024, height: 768, maximized: false });
    cache.put(server.id, 'GET /server', { name: 'Keychain test', version: '1.0.0' });
    cache.put(server.id, 'GET /resellers', { items: [{ id: 'default', name: 'default' }], total: 1 });
    cache.close();

    expect(await vault.getPassword(server.id)).toBe(password);
    expect(await vault.getToken(server.id)).toBe(token);

    // Filed where other tools find them: fixed service, account = server id.
    const keytar = (await import('keytar')).default;
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, server.id)).toBe(password);
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, `${server.id}:token`)).toBe(token);

    const written = fs.readdirSync(dir).map((name) => path.join(dir, name));
    expect(written).toEqual(expect.arrayContaining([registry.path, path.join(dir, 'offline.sqlite')]));
    for (const file of written) {
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(password), `${file} holds the password`).toBe(false);
      expect(bytes.includes(token), `${file} holds the token`).toBe(false);
    }

    expect(await vault.deleteToken(server.id)).toBe(true);
    expect(await vault.getToken(server.id)).toBeNull();
    expect(await vault.getPassword(server.id)).toBe(password);
    await vault.forget(server.id);
    expect(await vault.getPassword(server.id)).toBeNull();
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, server.id)).toBeNull();
  });

  it('leaves no probe entry behind', async () => {
    const keytar = (await import('keytar')).default;
    const accounts = async () => (await keytar.findCredentials(KEYCHAIN_SERVICE)).map((c) => c.account).sort();
    // The whole test run shares one Secret Service, and other files open vaults at the same time: their
    // probe may hold the probe entry for a moment. So the entry must be gone soon after, and the rest unchanged.
    const withoutProbe = async () => (await accounts()).filter((a) => a !== PROBE_ACCOUNT);
    const before = await withoutProbe();
    await openVault({ allowMemory: false });
    expect(await withoutProbe()).toEqual(before);
    await expect.poll(async () => (await accounts()).includes(PROBE_ACCOUNT), { timeout: 5_000 }).toBe(false);
  });
});
