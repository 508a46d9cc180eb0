/**
 * keytar is an optional dependency (first run on a machine without libsecret's headers): when the module is
 * not installed, the console runs with passwords kept for this session only, says how to get keychain
 * storage, and writes no secret to disk. The fresh-clone test (integration/first-run) does the same for real.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../src-main/core/console-service.js';
import { KeychainUnavailableError, openVault, type KeytarApi } from '../../src-main/core/vault.js';

/** A real failed import, as Node reports a package that npm left out. */
const missingKeytar = async (): Promise<KeytarApi> => (await import(/* @vite-ignore */ ['keytar', 'not-installed'].join('-'))) as KeytarApi;

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('without the keytar module', () => {
  it('says which package to install and what to run, once, in plain words', async () => {
    const error = await openVault({ allowMemory: false, loadKeytar: missingKeytar }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KeychainUnavailableError);
    const { problem, message } = error as KeychainUnavailableError;
    expect(problem).toBe('module-missing');
    expect(message).toContain('the keychain module (keytar) is not installed');
    if (process.platform === 'linux') expect(message).toContain('`sudo apt-get install libsecret-1-dev`');
    expect(message).toContain('run `npm install`');
    expect(message).toContain('"this session only"');
    expect(message).not.toContain('ERR_MODULE_NOT_FOUND'); // the stack-like detail stays out of the sentence
  });

  it('runs with passwords for this session only and writes none of them to disk', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'console-no-keytar-'));
    const vault = await openVault({ allowMemory: true, loadKeytar: missingKeytar });
    expect(vault.backend).toBe('memory');
    const service = await ConsoleService.open({ dataDir, host: 'browser', vault });
    await vault.setPassword('srv1', 'hunter22-secret');
    await vault.setToken('srv1', 'token-abc123');
    expect(await vault.getPassword('srv1')).toBe('hunter22-secret');
    const info = await service.invoke('app.info', {});
    expect(info.keychain).toBe('memory');
    await service.close();

    const files = await filesUnder(dataDir);
    expect(files.length).toBeGreaterThan(0); // settings and cache were written: the check below means something
    for (const file of files) {
      const bytes = await readFile(file);
      expect(bytes.includes('hunter22-secret'), file).toBe(false);
      expect(bytes.includes('token-abc123'), file).toBe(false);
    }
  });
});
