import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_CSP, isAppUrl, registerAppScheme, rendererResponse, serveRenderer } from '../../src-main/shell/protocol.js';
import { protocol } from '../support/fake-electron.js';

vi.mock('electron', () => import('../support/fake-electron.js'));

let base: string;
let dist: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'bc-protocol-'));
  dist = path.join(base, 'renderer');
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Backup Console</title>');
  await writeFile(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(path.join(base, 'secret.txt'), 'not for the renderer');
  await symlink(path.join(base, 'secret.txt'), path.join(dist, 'assets', 'link.txt'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => rendererResponse(dist, new Request(url, { method }));

describe('app:// scheme', () => {
  it('is registered standard and secure, without bypassing CSP', () => {
    registerAppScheme();
    expect(protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
    serveRenderer(dist);
    expect([...protocol.handlers.keys()]).toEqual(['app']);
  });

  it('recognises app://console/ and nothing that merely looks like it', () => {
    expect(isAppUrl('app://console/index.html')).toBe(true);
    expect(isAppUrl('app://console')).toBe(true);
    for (const url of ['app://console.evil/', 'app://evil/console/', 'app://user@console/', 'app://console:8080/', 'https://console/', 'file:///console/', '']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});

describe('serving the renderer', () => {
  it('serves index.html and assets with the strict CSP', async () => {
    const page = await get('app://console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>Backup Console</title>');
    const script = await get('app://console/assets/app-1234.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    for (const response of [page, script]) {
      expect(response.headers.get('content-security-policy')).toBe(APP_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('has a CSP that allows only our own scripts and styles, and no network at all', () => {
    const directives = Object.fromEntries(APP_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'connect-src': "'none'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(APP_CSP).not.toContain('unsafe');
  });

  it('refuses path traversal in every spelling, with the CSP on the refusal too', async () => {
    for (const url of [
      'app://console/..%2fsecret.txt',
      'app://console/assets/..%2f..%2fsecret.txt',
      'app://console/%2e%2e%2fsecret.txt',
      'app://console/..%5csecret.txt',
      'app://console/assets%2f..%2f..%2fsecret.txt',
      'app://console/%00index.html',
      'app://console/.env',
      'app://console/%E0%A4%A',
      'app://console/assets/link.txt',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(403);
      expect(await response.text()).not.toContain('not for the renderer');
      expect(response.headers.get('content-security-policy')).toBe(APP_CSP);
    }
    // Plain ../ is resolved by the URL parser before we see it: it cannot climb above the root.
    const climbed = await get('app://console/../../secret.txt');
    expect(climbed.status).toBe(404);
  });

  it('answers other hosts with 404 and other methods with 405', async () => {
    expect((await get('app://other/index.html')).status).toBe(404);
    expect((await get('app://console/index.html', 'POST')).status).toBe(405);
    expect((await get('app://console/missing.js')).status).toBe(404);
    const head = await get('app://console/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
