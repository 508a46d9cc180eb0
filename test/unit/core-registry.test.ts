import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError, ServerRegistry, type RegistryErrorCode } from '../../src-main/core/registry.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'core-registry-'));
});

afterEach(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

const openRegistry = () => new ServerRegistry({ cwd: dir });
const hq = { name: 'HQ backup', url: 'https://backup.example.com:8443', username: 'admin' };
const FINGERPRINT = 'ab'.repeat(32);

function registryError(fn: () => unknown, code: RegistryErrorCode, field?: string): RegistryError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RegistryError);
  const error = caught as RegistryError;
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
  return error;
}

describe('ServerRegistry servers', () => {
  it('adds servers with a generated id, no fingerprint yet, and keeps them in order', () => {
    const registry = openRegistry();
    const a = registry.add(hq);
    const b = registry.add({ name: '  Branch  ', url: 'HTTPS://Branch.Example.com:443/', username: ' tech ' });
    expect(a).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), ...hq, fingerprint: null });
    expect(b).toMatchObject({ name: 'Branch', url: 'https://branch.example.com', username: 'tech' });
    expect(a.id).not.toBe(b.id);
    expect(registry.list()).toEqual([a, b]);
  });

  it('persists to a conf (electron-store format) JSON file', () => {
    const a = openRegistry().add(hq);
    const reopened = openRegistry();
    expect(reopened.list()).toEqual([a]);
    expect(reopened.path).toBe(path.join(dir, 'config.json'));
    expect(JSON.parse(fs.readFileSync(reopened.path, 'utf8'))).toMatchObject({ servers: [a] });
  });

  it.each([
    ['name', { ...hq, name: '   ' }],
    ['name', { ...hq, name: 'x'.repeat(201) }],
    ['name', { ...hq, name: 'tab\there' }],
    ['url', { ...hq, url: 'backup.example.com' }],
    ['url', { ...hq, url: 'https://' }],
    ['url', { ...hq, url: 'ftp://backup.example.com' }],
    ['url', { ...hq, url: 'https://backup.example.com/?x=1' }],
    ['username', { ...hq, username: ' ' }],
  ])('rejects a bad %s with an error naming the field', (field, input) => {
    const registry = openRegistry();
    const error = registryError(() => registry.add(input), 'BAD_REQUEST', field);
    expect(error.message.startsWith(field)).toBe(true);
    expect(registry.list()).toEqual([]);
  });

  it('accepts a 200-character name and a plain-http URL', () => {
    const entry = openRegistry().add({ ...hq, name: 'n'.repeat(200), url: 'http://127.0.0.1:8080' });
    expect(entry.name).toHaveLength(200);
  });

  it('refuses credentials inside the URL without repeating them', () => {
    const registry = openRegistry();
    const error = registryError(
      () => registry.add({ ...hq, url: 'https://admin:hunter22@backup.example.com' }),
      'BAD_REQUEST',
      'url',
    );
    expect(error.message).not.toContain('hunter22');
    expect(fs.existsSync(registry.path) ? fs.readFileSync(registry.path, 'utf8') : '').not.toContain('hunter22');
  });

  it('refuses a second entry for the same address and user name, however it is spelled', () => {
    const registry = openRegistry();
    registry.add(hq);
    registryError(() => registry.add({ ...hq, name: 'Again', url: 'https://BACKUP.example.com:8443/' }), 'CONFLICT', 'url');
    expect(registry.add({ ...hq, name: 'As tech', username: 'tech' }).username).toBe('tech');
    expect(registry.list()).toHaveLength(2);
  });

  it('updates fields, and forgets the pinned certificate when the server moves', () => {
    const registry = openRegistry();
    const entry = registry.add(hq);
    registry.pinFingerprint(entry.id, FINGERPRINT);

    const renamed = registry.update(entry.id, { name: 'Head office', url: 'https://backup.example.com:8443/api-proxy/' });
    expect(renamed).toMatchObject({ name: 'Head office', url: 'https://backup.example.com:8443/api-proxy', fingerprint: FINGERPRINT });

    const moved = registry.update(entry.id, { url: 'https://new-host.example.com:8443' });
    expect(moved.fingerprint).toBeNull();
    expect(registry.list()).toEqual([moved]);
  });

  it('validates updates like additions', () => {
    const registry = openRegistry();
    const a = registry.add(hq);
    const b = registry.add({ ...hq, url: 'https://other.example.com' });
    registryError(() => registry.update(b.id, { url: hq.url }), 'CONFLICT', 'url');
    registryError(() => registry.update(a.id, { name: '' }), 'BAD_REQUEST', 'name');
    registryError(() => registry.update('missing', { name: 'x' }), 'NOT_FOUND');
    expect(registry.list()).toEqual([a, b]);
  });

  it('removes and reorders', () => {
    const registry = openRegistry();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => registry.add({ ...hq, url: `https://${n}.example.com` }));
    if (!a || !b || !c) throw new Error('setup');
    registry.reorder([c.id, a.id, b.id]);
    expect(registry.list().map((s) => s.id)).toEqual([c.id, a.id, b.id]);
    registry.remove(a.id);
    expect(registry.list().map((s) => s.id)).toEqual([c.id, b.id]);
    registryError(() => registry.remove(a.id), 'NOT_FOUND');
  });

  it.each([
    ['a missing id', (ids: string[]) => ids.slice(1)],
    ['a repeated id', (ids: string[]) => [ids[0] ?? '', ids[0] ?? '']],
    ['an unknown id', (ids: string[]) => [ids[0] ?? '', 'nope']],
    ['an extra id', (ids: string[]) => [...ids, 'nope']],
  ])('refuses an order with %s', (_, mangle) => {
    const registry = openRegistry();
    const ids = ['a', 'b'].map((n) => registry.add({ ...hq, url: `https://${n}.example.com` }).id);
    registryError(() => registry.reorder(mangle(ids)), 'BAD_REQUEST', 'ids');
    expect(registry.list().map((s) => s.id)).toEqual(ids);
  });

  it('pins a fingerprint as lowercase hex, and can forget it', () => {
    const registry = openRegistry();
    const { id } = registry.add(hq);
    const colonUpper = FINGERPRINT.toUpperCase().match(/../g)?.join(':') ?? '';
    expect(registry.pinFingerprint(id, colonUpper).fingerprint).toBe(FINGERPRINT);
    expect(openRegistry().get(id).fingerprint).toBe(FINGERPRINT);
    registryError(() => registry.pinFingerprint(id, 'abc'), 'BAD_REQUEST', 'fingerprint');
    expect(registry.pinFingerprint(id, null).fingerprint).toBeNull();
  });
});

describe('ServerRegistry secrets guard', () => {
  it('refuses password and token fields on servers, in the types and at run time', () => {
    const registry = openRegistry();
    // @ts-expect-error a password is not a server field
    registryError(() => registry.add({ ...hq, password: 'hunter22' }), 'BAD_REQUEST', 'password');
    const viaIpc = { ...hq, authToken: 'tok-123' };
    // @ts-expect-error secret-looking names are refused whatever their case
    registryError(() => registry.add(viaIpc), 'BAD_REQUEST', 'authToken');
    const { id } = registry.add(hq);
    // @ts-expect-error not in an update either
    registryError(() => registry.update(id, { Password: 'hunter22' }), 'BAD_REQUEST', 'Password');
    const text = fs.readFileSync(registry.path, 'utf8');
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain('tok-123');
  });

  it('refuses unknown server fields', () => {
    const registry = openRegistry();
    registryError(() => registry.add({ ...hq, fingerprint: FINGERPRINT }), 'BAD_REQUEST', 'fingerprint');
  });

  it('refuses secret-looking setting names, also nested in the value', () => {
    const registry = openRegistry();
    // @ts-expect-error the key reads like a secret
    registryError(() => registry.setSetting('lastToken', 'tok-123'), 'BAD_REQUEST', 'lastToken');
    registryError(
      () => registry.setSetting('login', { servers: [{ user: 'admin', passWord: 'hunter22' }] }),
      'BAD_REQUEST',
      'login.servers[0].passWord',
    );
    expect(registry.getSetting('login')).toBeUndefined();
    expect(fs.existsSync(registry.path) ? fs.readFileSync(registry.path, 'utf8') : '').not.toMatch(/hunter22|tok-123/);
  });
});

describe('ServerRegistry UI settings', () => {
  it('stores JSON settings by name, dots included, across reopen', () => {
    const registry = openRegistry();
    const bounds = { x: 10, y: 20, width: 1280, height: 800, maximized: false };
    const columns = [{ id: 'name', width: 240 }, { id: 'spaceUsed', width: 120 }];
    registry.setSetting('windowBounds', bounds);
    registry.setSetting('columns.customers', columns);
    expect(registry.getSetting('missing')).toBeUndefined();

    const reopened = openRegistry();
    expect(reopened.getSetting('windowBounds')).toEqual(bounds);
    expect(reopened.getSetting('columns.customers')).toEqual(columns);
  });
});

describe('ServerRegistry damaged settings file', () => {
  it.each([
    ['not JSON', '{"servers": [ {"id": "trunc'],
    ['a schema violation', JSON.stringify({ servers: [{ id: 'x', name: 'n', url: 'https://h', username: 'u', fingerprint: 'zz' }], settings: {} })],
  ])('moves a file that is %s aside and starts empty', (_, content) => {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, content);
    const registry = openRegistry();
    expect(registry.list()).toEqual([]);
    expect(registry.recoveredFrom).toMatch(/config\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(fs.readFileSync(registry.recoveredFrom ?? '', 'utf8')).toBe(content);
    registry.add(hq);
    expect(openRegistry().recoveredFrom).toBeNull();
  });
});
