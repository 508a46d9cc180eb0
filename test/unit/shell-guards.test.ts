import { beforeEach, describe, expect, it, vi } from 'vitest';
import { installGuards, openExternally } from '../../src-main/shell/guards.js';
import { app, FakeWebContents, resetFakeElectron, shell } from '../support/fake-electron.js';

vi.mock('electron', () => import('../support/fake-electron.js'));

const DOCS = 'https://backup.example.com/api/v1/openapi.json';
const allowDocs = async (url: URL) => url.href === DOCS;

/** A navigation event as Electron passes it to will-navigate / will-redirect listeners. */
function navigation(url: string) {
  return { url, prevented: false, preventDefault() { this.prevented = true; } };
}

/** Lets the fire-and-forget openExternal calls settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let contents: FakeWebContents;

beforeEach(() => {
  resetFakeElectron();
  installGuards(allowDocs);
  contents = new FakeWebContents();
  app.fire('web-contents-created', {}, contents);
});

describe('navigation', () => {
  it.each(['will-navigate', 'will-redirect'])('%s stays on app://console and is denied anywhere else', async (event) => {
    const home = navigation('app://console/index.html#/customers');
    contents.fire(event, home);
    expect(home.prevented).toBe(false);
    for (const url of ['https://evil.example.com/', 'file:///etc/passwd', 'app://console.evil/', 'http://127.0.0.1:8443/', 'javascript:alert(1)', DOCS]) {
      const away = navigation(url);
      contents.fire(event, away);
      expect(away.prevented, url).toBe(true);
    }
    await settle();
    // Only the allowed document went to the system browser, never into the window.
    expect(shell.opened).toEqual([DOCS]);
  });

  it('refuses to attach webviews', () => {
    const attach = navigation('');
    contents.fire('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
  });
});

describe('window.open', () => {
  it('is always denied; allowed http(s) links open in the system browser instead', async () => {
    const open = (url: string) => contents.windowOpenHandler!({ url } as Electron.HandlerDetails);
    expect(open(DOCS)).toEqual({ action: 'deny' });
    expect(open('https://evil.example.com/')).toEqual({ action: 'deny' });
    expect(open('app://console/index.html')).toEqual({ action: 'deny' });
    await settle();
    expect(shell.opened).toEqual([DOCS]);
  });

  it('never hands non-http schemes to the operating system, even if the policy would allow them', async () => {
    const allowAll = async () => true;
    for (const url of ['file:///etc/passwd', 'smb://host/share', 'ms-settings:', 'not a url']) {
      expect(await openExternally(url, allowAll), url).toBe(false);
    }
    expect(await openExternally('http://docs.example.com/', allowAll)).toBe(true);
    expect(shell.opened).toEqual(['http://docs.example.com/']);
  });
});

describe('certificates and permissions', () => {
  it('denies certificate errors', () => {
    const callback = vi.fn();
    const event = navigation('');
    app.fire('certificate-error', event, contents, 'https://backup.example.com/', 'net::ERR_CERT_AUTHORITY_INVALID', {}, callback, true);
    expect(event.prevented).toBe(true);
    expect(callback).toHaveBeenCalledWith(false);
  });

  it('denies permission requests and checks, except clipboard writes from our pages', () => {
    const { requestHandler, checkHandler } = contents.session;
    if (!requestHandler || !checkHandler) throw new Error('permission handlers not installed');
    const request = (permission: string, url: string) => {
      const page = new FakeWebContents();
      page.url = url;
      const callback = vi.fn();
      requestHandler(page as unknown as Electron.WebContents, permission as 'media', callback, {} as Electron.PermissionRequest);
      return callback.mock.calls[0]?.[0] as boolean;
    };
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      expect(request(permission, 'app://console/index.html'), permission).toBe(false);
    }
    expect(request('clipboard-sanitized-write', 'app://console/index.html')).toBe(true);
    expect(request('clipboard-sanitized-write', 'https://evil.example.com/')).toBe(false);

    const check = (permission: string, origin: string) => checkHandler(null, permission as 'media', origin, {} as Electron.PermissionCheckHandlerHandlerDetails);
    expect(check('media', 'app://console')).toBe(false);
    expect(check('clipboard-sanitized-write', 'app://console')).toBe(true);
    expect(check('clipboard-sanitized-write', 'https://evil.example.com')).toBe(false);
  });
});
