/**
 * App-wide guards, installed before any window exists so that every web contents — ours, and any that some
 * bug or exploit manages to create — gets them (Electron security checklist items 5, 13–15; VS Code's
 * `web-contents-created` guard): no navigation away from app://console, no new windows, no webviews, no
 * permissions beyond writing to the clipboard, and no certificate exceptions.
 */
import { app, shell, type Session, type WebContents } from 'electron';
import { isAppUrl } from './protocol.js';

/** Decides whether a link may open in the user's browser (say, a registered server's API document). */
export type ExternalLinkPolicy = (url: URL) => Promise<boolean>;

/**
 * Opens `url` in the system browser when it is http(s) and the policy allows it; otherwise drops it.
 * Other schemes (file:, smb:, custom protocol handlers) can run programs, so they never get through.
 */
export async function openExternally(url: string, allow: ExternalLinkPolicy): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !(await allow(parsed))) return false;
  await shell.openExternal(parsed.href);
  return true;
}

export function installGuards(allowExternal: ExternalLinkPolicy): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, allowExternal));
  app.on('certificate-error', (event, _contents, _url, _error, _certificate, callback) => {
    // preventDefault says "we decide"; the decision is no. The renderer loads nothing over the network anyway.
    event.preventDefault();
    callback(false);
  });
}

export function guardWebContents(contents: WebContents, allowExternal: ExternalLinkPolicy): void {
  const leave = (url: string) => void openExternally(url, allowExternal).catch((err: unknown) => console.warn(`Could not open ${url}: ${(err as Error).message}`));
  const stayHome = (event: { url: string; preventDefault(): void }) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    leave(event.url);
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.setWindowOpenHandler(({ url }) => {
    leave(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  lockPermissions(contents.session);
}

/**
 * Denies every permission request and check, except writing to the clipboard from our own pages: the
 * console's "copy" buttons (the agent register command) use navigator.clipboard.writeText.
 */
export function lockPermissions(session: Session): void {
  const allowed = (permission: string, origin: string) => permission === 'clipboard-sanitized-write' && isAppUrl(origin);
  session.setPermissionRequestHandler((contents, permission, callback) => callback(allowed(permission, contents.getURL())));
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowed(permission, requestingOrigin));
}
