import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CredentialVault,
  KEYCHAIN_SERVICE,
  KeychainError,
  KeychainSecretStore,
  KeychainUnavailableError,
  MemorySecretStore,
  openVault,
  type KeytarApi,
} from '../../src-main/core/vault.js';

/** A keytar stand-in: a map per service/account, with a hook to make any call fail or stall. */
class FakeKeytar implements KeytarApi {
  readonly entries = new Map<string, string>();
  fail: ((op: 'get' | 'set' | 'delete') => Promise<never> | undefined) | undefined;
  /** What getPassword returns instead of the stored value, to simulate a broken keychain. */
  readBackOverride: string | undefined;

  async getPassword(service: string, account: string): Promise<string | null> {
    await this.fail?.('get');
    return this.readBackOverride ?? this.entries.get(`${service}/${account}`) ?? null;
  }

  async setPassword(service: string, account: string, password: string): Promise<void> {
    await this.fail?.('set');
    this.entries.set(`${service}/${account}`, password);
  }

  async deletePassword(service: string, account: string): Promise<boolean> {
    await this.fail?.('delete');
    return this.entries.delete(`${service}/${account}`);
  }
}

const failWith = (message: string) => () => Promise.reject(new Error(message));

async function unavailable(promise: Promise<unknown>): Promise<KeychainUnavailableError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeychainUnavailableError);
  return error as KeychainUnavailableError;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('MemorySecretStore', () => {
  it('keeps secrets for this session only and says so', async () => {
    const store = new MemorySecretStore();
    expect(store.backend).toBe('memory');
    expect(await store.get('a')).toBeNull();
    await store.set('a', 's3cret');
    expect(await store.get('a')).toBe('s3cret');
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeNull();
  });

  it('rejects what the keychain would reject, without echoing the secret', async () => {
    const store = new MemorySecretStore();
    await expect(store.set('', 'hunter22')).rejects.toThrow(/account name must not be empty/);
    await expect(store.set('a', '')).rejects.toThrow(/must not be empty/);
    const error: unknown = await store.set('', 'hunter22').catch((e: unknown) => e);
    expect(String(error)).not.toContain('hunter22');
  });
});

describe('CredentialVault', () => {
  it('keeps a password and a token per server, apart', async () => {
    const vault = new CredentialVault(new MemorySecretStore());
    expect(vault.backend).toBe('memory');
    await vault.setPassword('srv1', 'pw-1');
    await vault.setToken('srv1', 'tok-1');
    await vault.setPassword('srv2', 'pw-2');
    expect(await vault.getPassword('srv1')).toBe('pw-1');
    expect(await vault.getToken('srv1')).toBe('tok-1');
    expect(await vault.getPassword('srv2')).toBe('pw-2');
    expect(await vault.getToken('srv2')).toBeNull();
  });

  it('drops a token without the password, and forgets everything of one server', async () => {
    const vault = new CredentialVault(new MemorySecretStore());
    await vault.setPassword('srv1', 'pw-1');
    await vault.setToken('srv1', 'tok-1');
    await vault.setPassword('srv2', 'pw-2');

    expect(await vault.deleteToken('srv1')).toBe(true);
    expect(await vault.getToken('srv1')).toBeNull();
    expect(await vault.getPassword('srv1')).toBe('pw-1');

    await vault.setToken('srv1', 'tok-again');
    await vault.forget('srv1');
    expect(await vault.getPassword('srv1')).toBeNull();
    expect(await vault.getToken('srv1')).toBeNull();
    expect(await vault.getPassword('srv2')).toBe('pw-2');
  });

  it('files entries under the fixed service, account = server id', async () => {
    const keytar = new FakeKeytar();
    const vault = new CredentialVault(new KeychainSecretStore(keytar));
    expect(vault.backend).toBe('keychain');
    await vault.setPassword('srv1', 'pw-1');
    await vault.setToken('srv1', 'tok-1');
    expect(KEYCHAIN_SERVICE).toBe('backup-console');
    expect([...keytar.entries]).toEqual([
      ['backup-console/srv1', 'pw-1'],
      ['backup-console/srv1:token', 'tok-1'],
    ]);
  });

  it('refuses server ids that could collide with another server’s token account', async () => {
    const vault = new CredentialVault(new MemorySecretStore());
    await expect(vault.setPassword('a:token', 'x')).rejects.toThrow(/must not contain ":"/);
    await expect(vault.getToken('')).rejects.toThrow(/non-empty/);
  });
});

describe('KeychainSecretStore', () => {
  it('wraps native failures with the account, never the secret', async () => {
    const keytar = new FakeKeytar();
    // A native error that (hypothetically) echoes its input must still not leak it.
    keytar.fail = (op) => (op === 'set' ? Promise.reject(new Error('refused value hunter22')) : undefined);
    const store = new KeychainSecretStore(keytar);
    const error: unknown = await store.set('srv1', 'hunter22').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeychainError);
    expect((error as Error).message).toBe('Could not save keychain entry "srv1": refused value [redacted]');
  });
});

describe('openVault', () => {
  it('uses the keychain after a round trip that leaves no probe entry behind', async () => {
    const keytar = new FakeKeytar();
    const vault = await openVault({ allowMemory: false, loadKeytar: async () => keytar });
    expect(vault.backend).toBe('keychain');
    expect(keytar.entries.size).toBe(0);
    await vault.setPassword('srv1', 'pw');
    expect(keytar.entries.get('backup-console/srv1')).toBe('pw');
  });

  it('prefers the keychain even when memory is allowed', async () => {
    const vault = await openVault({ allowMemory: true, loadKeytar: async () => new FakeKeytar() });
    expect(vault.backend).toBe('keychain');
  });

  it('explains a keytar module that cannot load', async () => {
    const error = await unavailable(
      openVault({ allowMemory: false, loadKeytar: failWith('libsecret-1.so.0: cannot open shared object file') }),
    );
    expect(error.problem).toBe('module-missing');
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(error.message).toMatch(/keytar\) could not be loaded \(libsecret-1\.so\.0.*\)/);
    expect(error.message).toContain('`npm rebuild keytar`');
    expect(error.message).toContain('"this session only"');
  });

  it.runIf(process.platform === 'linux')('names a missing D-Bus session bus', async () => {
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', '');
    const keytar = new FakeKeytar();
    keytar.fail = failWith('Cannot autolaunch D-Bus without X11 $DISPLAY');
    const error = await unavailable(openVault({ allowMemory: false, loadKeytar: async () => keytar }));
    expect(error.problem).toBe('no-session-bus');
    expect(error.message).toMatch(/no D-Bus session bus is running.*Secret Service/);
    expect(error.message).toContain('"this session only"');
  });

  it('quotes the keychain’s own reason when the service refuses', async () => {
    vi.stubEnv('DBUS_SESSION_BUS_ADDRESS', 'unix:path=/run/user/1000/bus');
    const keytar = new FakeKeytar();
    keytar.fail = failWith('Object does not exist at path “/org/freedesktop/secrets/collection/login”');
    const error = await unavailable(openVault({ allowMemory: false, loadKeytar: async () => keytar }));
    expect(error.problem).toBe('keychain-error');
    expect(error.message).toContain('collection/login');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('does not trust a keychain that returns something else than it stored', async () => {
    const keytar = new FakeKeytar();
    keytar.readBackOverride = 'not-what-was-stored';
    const error = await unavailable(openVault({ allowMemory: false, loadKeytar: async () => keytar }));
    expect(error.problem).toBe('keychain-error');
    expect(error.message).toMatch(/returned something else/);
    expect(keytar.entries.size).toBe(0);
  });

  it('gives up on a keychain that never answers', async () => {
    const keytar = new FakeKeytar();
    keytar.fail = () => new Promise<never>(() => undefined);
    const error = await unavailable(openVault({ allowMemory: false, loadKeytar: async () => keytar, timeoutMs: 20 }));
    expect(error.problem).toBe('timeout');
    expect(error.message).toMatch(/did not answer/);
  });

  it('falls back to a memory store only when the user allowed it', async () => {
    const vault = await openVault({ allowMemory: true, loadKeytar: failWith('no keytar') });
    expect(vault.backend).toBe('memory');
    await vault.setToken('srv1', 'tok');
    expect(await vault.getToken('srv1')).toBe('tok');
  });
});
